import streamlit as st

name = st.text_input("Your name", "world")
st.write(f"Hello, {name}!")

// placeholder until the http layer lands

// placeholder until the repo layer lands

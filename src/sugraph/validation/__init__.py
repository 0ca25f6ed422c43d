"""Validation: SHACL shapes (`shacl`), SPARQL quality checks (`quality`), both as one typed report
(`report`) located in the files (`linemap`) and written out for people and CI (`formats`)."""

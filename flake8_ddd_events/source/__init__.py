"""Source files, standard library only: reading and decoding them, module paths, source roots,
and which folders hold third-party code."""

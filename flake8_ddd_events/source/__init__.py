"""Source files, standard library only: reading and decoding them, module paths, source roots."""

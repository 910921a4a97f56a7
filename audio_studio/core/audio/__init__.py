"""Audio: decode, encode, record, play, draw and analyse."""

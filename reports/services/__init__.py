"""Writes, one transaction each: `editing` (start and save from the form), `scoring`, `workflow`,
`review`, `history`, `notifications`, `bounds`.

Kept empty: importing any one of them runs this file first, so whatever it imported would be
imported by all of them (and by the layers above that use one).
"""

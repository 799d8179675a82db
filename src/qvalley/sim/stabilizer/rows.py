"""Layout of a stabilizer program row, shared by the builder and the numba kernels.

A program is an int64 array with one row per operation: its kind, how many qubits it
touches and which, four auxiliary slots (the gate's map or the noise channel's pool
offsets) and the classical condition (offset and length of its bits in the condition
pool, and the value they must read). Kept apart from the kernels so that building a
program, or asking whether a circuit is Clifford, does not import numba.
"""
GATE, MEASURE, RESET, NOISE = 0, 1, 2, 3
KIND, K, Q0, AUX0, AUX1, AUX2, AUX3, COFF, CLEN, CVAL = 0, 1, 2, 6, 7, 8, 9, 10, 11, 12
WIDTH = 13

"""The outcome of :func:`qvalley.run`: counts, per-shot memory and how they were made."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass
class Result:
    """Measurement results.

    ``counts`` maps bit strings to how many shots gave them; a key lists the classical bits
    highest index first (``c[n-1]...c[0]``), one string, no spaces. ``memory`` holds one
    such string per shot, in the order the shots were taken. ``seed`` is the seed that was
    used (pass it back to :func:`qvalley.run` to get the same result again).
    """

    counts: dict[str, int]
    memory: list[str] = field(repr=False)
    shots: int
    seed: int
    backend: str
    num_clbits: int
    time_taken: float = field(default=0.0, compare=False)  # equal results compare equal
    details: dict = field(default_factory=dict, compare=False)  # e.g. trajectory branches

    def get_counts(self) -> dict[str, int]:
        return dict(self.counts)

    def get_memory(self) -> list[str]:
        return list(self.memory)

    def probabilities(self) -> dict[str, float]:
        """Relative frequencies of each outcome."""
        return {k: v / self.shots for k, v in self.counts.items()}

    def standard_errors(self) -> dict[str, float]:
        """The standard error of each outcome's relative frequency, sqrt(p (1 - p) / shots):
        every shot is an independent exact sample (for noisy runs too, the trajectory
        backend included), so this is the whole statistical error of the estimate."""
        return {k: (v / self.shots * (1 - v / self.shots) / self.shots) ** 0.5
                for k, v in self.counts.items()}

    def most_frequent(self) -> str:
        return max(self.counts.items(), key=lambda kv: (kv[1], kv[0]))[0]

    def to_dict(self) -> dict:
        return {"counts": self.counts, "shots": self.shots, "seed": self.seed,
                "backend": self.backend, "num_clbits": self.num_clbits,
                "time_taken": self.time_taken}


def records_to_strings(records: np.ndarray) -> tuple[dict[str, int], list[str]]:
    """Counts (sorted by key) and per-shot strings from a (shots, m) array of bits."""
    shots, m = records.shape
    if shots == 0:
        return {}, []
    if m <= 63:
        # bit i of the key is clbit i; packed 8 bits a byte (no int64 copy of the records)
        packed = np.zeros((shots, 8), dtype=np.uint8)
        if m:
            packed[:, :(m + 7) // 8] = np.packbits(records, axis=1, bitorder="little")
        keys = packed.view("<u8").ravel()
        uniq, inverse, counts = np.unique(keys, return_inverse=True, return_counts=True)
        labels = [format(int(v), f"0{m}b") if m else "" for v in uniq]
    else:
        # each row packed into bytes, highest clbit first (bytes reversed, bits little
        # endian: the top bit of the first byte is the highest clbit), and compared as one
        # opaque value: O(shots x m / 8); the byte order is the labels' order, so the
        # unique rows come out sorted as the labels would
        packed = np.ascontiguousarray(
            np.packbits(records, axis=1, bitorder="little")[:, ::-1])
        rows = packed.view(np.dtype((np.void, packed.shape[1]))).ravel()
        _, first, inverse, counts = np.unique(rows, return_index=True, return_inverse=True,
                                              return_counts=True)
        digits = records[first][:, ::-1] + np.uint8(ord("0"))
        labels = [row.tobytes().decode("ascii") for row in digits]
        inverse = np.asarray(inverse).ravel()
        return dict(zip(labels, (int(c) for c in counts))), [labels[i] for i in inverse]
    inverse = np.asarray(inverse).ravel()
    memory = [labels[i] for i in inverse]
    table = dict(sorted(zip(labels, (int(c) for c in counts))))
    return table, memory

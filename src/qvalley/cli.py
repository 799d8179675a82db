"""The ``qvalley`` command: run, inspect and draw OpenQASM programs from a terminal.

::

    qvalley run examples/ghz.qasm --shots 1000 --seed 7
    qvalley statevector examples/bell.qasm
    qvalley draw examples/teleport.qasm
    qvalley info examples/qft4.qasm --json

A problem with the user's input (a missing file, an OpenQASM error, a circuit too big for
this machine, a bad option) is reported as one line on stderr, exit status 2, never a
traceback; an unexpected failure inside qvalley is one line asking for a bug report, exit
status 1 (``--debug`` shows the traceback instead). Ctrl-C exits with 130, quietly.

This module is imported only by the command, so ``import qvalley`` does not pay for
argparse or json.
"""
from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import sys
from pathlib import Path
from typing import Callable, Sequence, TextIO

from . import __version__
from .errors import QasmError, QValleyError

EXIT_OK = 0
EXIT_INTERNAL = 1
EXIT_INPUT = 2
EXIT_BROKEN_PIPE = 141     # 128 + SIGPIPE, what a shell reports for `yes | head -1`
EXIT_INTERRUPTED = 130     # 128 + SIGINT

#: Lines of amplitudes (``statevector``) or outcomes (``run``) printed without ``--all``.
MAX_LINES = 64
#: Amplitudes with a magnitude at or below this are left out of ``statevector`` listings.
DEFAULT_TOL = 1e-10

class UsageError(Exception):
    """A problem with the command line or its files, reported as one line with exit 2."""


class _Exit(Exception):
    """argparse finished early (``--help``, ``--version``): exit with ``status``."""

    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line and which never calls sys.exit, so that
    :func:`main` stays callable in-process (tests) and owns every exit status."""

    def error(self, message: str):  # type: ignore[override]
        raise UsageError(f"{self.prog}: error: {message} (see '{self.prog} --help')")

    def exit(self, status: int = 0, message: str | None = None):  # type: ignore[override]
        if message:
            sys.stderr.write(message)
        raise _Exit(status)


# -- argument types ----------------------------------------------------------------------------

def _int_at_least(lowest: int, what: str) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text.strip(), 10)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{what} must be an integer, got {text!r}") \
                from None
        if value < lowest:
            bound = "positive" if lowest == 1 else "non-negative"
            raise argparse.ArgumentTypeError(f"{what} must be {bound}, got {value}")
        return value
    parse.__name__ = what  # argparse names the type in some messages
    return parse


def _fold_width(text: str) -> int:
    try:
        value = int(text.strip(), 10)
    except ValueError:
        raise argparse.ArgumentTypeError(f"fold must be an integer, got {text!r}") from None
    if value == -1 or value >= 1:
        return value
    raise argparse.ArgumentTypeError(f"fold must be a width of at least 1, or -1 for no "
                                     f"folding, got {value}")


def _tolerance(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"tolerance must be a number, got {text!r}") from None
    if not 0 <= value < 1:
        raise argparse.ArgumentTypeError(f"tolerance must be in [0, 1), got {text}")
    return value


# -- the parser ---------------------------------------------------------------------------------

_EPILOG = """\
FILE is an OpenQASM 2.0 program, or - to read one from standard input.

exit status: 0 success, 2 bad input or usage (one line on stderr), 1 internal error
(a bug: please report it), 130 interrupted.

examples:
  qvalley run examples/ghz.qasm --shots 1000
  qvalley run examples/teleport.qasm --seed 7 --json
  qvalley statevector examples/bell.qasm
  qvalley draw examples/teleport.qasm
  qvalley info examples/qft4.qasm
"""


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``qvalley`` command (exposed for docs and tests)."""
    fmt = argparse.RawDescriptionHelpFormatter
    parser = _Parser(prog="qvalley", formatter_class=fmt, epilog=_EPILOG,
                     description="Simulate, inspect, draw and compile OpenQASM 2.0 quantum programs.")
    parser.add_argument("--version", action="version", version=f"qvalley {__version__}")
    parser.add_argument("--debug", action="store_true",
                        help="show the full traceback of any error (for bug reports)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", title="commands")

    # --debug is accepted after the command too; SUPPRESS keeps the top-level value.
    common = _Parser(add_help=False)
    common.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                        help=argparse.SUPPRESS)

    def command(name: str, help_text: str, func: Callable) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text, parents=[common],
                           formatter_class=fmt)
        p.add_argument("file", metavar="FILE", help="OpenQASM 2.0 file, or - for stdin")
        p.set_defaults(func=func)
        return p

    p = command("run", "sample measurement outcomes (counts) from the exact state", _cmd_run)
    p.add_argument("--shots", type=_int_at_least(1, "shots"), default=1024,
                   help="number of shots (default 1024)")
    p.add_argument("--seed", type=_int_at_least(0, "seed"), default=None,
                   help="random seed; the same seed gives the same counts (default: random, "
                        "printed so you can repeat the run)")
    p.add_argument("--sort", choices=("bitstring", "count"), default="bitstring",
                   help="table order: by outcome bit string (default) or by count, "
                        "most frequent first")
    p.add_argument("--all", action="store_true",
                   help=f"list every outcome (the table stops after {MAX_LINES} otherwise)")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.add_argument("--memory", action="store_true",
                   help="with --json, include the outcome of every shot, in order")
    p.add_argument("--plot", metavar="FILE.png", default=None,
                   help="also save a histogram of the counts (.png, .svg, .pdf; needs "
                        "qvalley[viz])")
    p.add_argument("--noise", metavar="TARGET", default=None,
                   help="simulate with the noise model of a target (ionq-aria-1, "
                        "ionq-forte-1, ibm-eagle-r3, ibm-heron-r2 or a target JSON file): "
                        "density matrix or trajectories, readout errors included")
    p.add_argument("--twirl", action="store_true",
                   help="with --noise, use the model's Pauli approximation (every channel "
                        "Pauli twirled), which the stabilizer backend runs on Clifford "
                        "circuits of thousands of qubits")
    p.add_argument("--backend", choices=("auto", "statevector", "density_matrix",
                                         "trajectories", "stabilizer"),
                   default="auto", help="simulator (default: auto: the stabilizer for "
                   "Clifford circuits of more than 20 qubits)")

    p = command("statevector", "print (or save) the final state vector", _cmd_statevector)
    p.add_argument("--out", metavar="F.npy", help="save the full state to a .npy file")
    p.add_argument("--json", action="store_true", help="print the amplitudes as JSON")
    p.add_argument("--all", action="store_true",
                   help=f"list every amplitude above the tolerance (only {MAX_LINES} are "
                        "listed otherwise)")
    p.add_argument("--tol", type=_tolerance, default=DEFAULT_TOL,
                   help=f"leave out amplitudes of magnitude <= TOL (default {DEFAULT_TOL:g})")
    p.add_argument("--seed", type=_int_at_least(0, "seed"), default=None,
                   help="seed that picks the measurement outcomes of a circuit with "
                        "mid-circuit measurement or reset")
    p.add_argument("--precision", choices=("double", "single"), default="double",
                   help="complex128 (default) or complex64 amplitudes (half the memory)")
    p.add_argument("--threads", type=_int_at_least(1, "threads"), default=None,
                   help="threads for the numba engine (default: QVALLEY_NUM_THREADS, else "
                        "every core)")
    p.add_argument("--explain", action="store_true",
                   help="print the engine's plan (blocks, passes over memory) to stderr")

    p = command("draw", "draw the circuit as text (or as a picture with --out)", _cmd_draw)
    p.add_argument("--out", metavar="FILE.png", default=None,
                   help="save a matplotlib drawing (.png, .svg, .pdf) instead of printing "
                        "text (needs qvalley[viz])")
    p.add_argument("--ascii", action="store_true", help="use ASCII characters only")
    p.add_argument("--fold", type=_fold_width, default=None, metavar="N",
                   help="fold lines longer than N characters (default: terminal width, or 80 "
                        "when not a terminal); -1 never folds")

    p = command("info", "summarise the circuit: sizes, registers, depth, gate counts",
                _cmd_info)
    p.add_argument("--json", action="store_true", help="print the summary as JSON")

    p = command("compile", "compile the circuit to a machine's native gates and qubits",
                _cmd_compile)
    p.add_argument("--target", required=True, metavar="T",
                   help="a preset (see 'qvalley targets') or a target JSON file")
    p.add_argument("--level", type=int, choices=(0, 1, 2, 3), default=2,
                   help="optimisation level, 0 (none) to 3 (most); default 2")
    p.add_argument("--format", choices=("qasm3", "qasm2", "ionq-json"), default=None,
                   help="output format (default: ionq-json for IonQ targets, else qasm3)")
    p.add_argument("--out", metavar="F", help="write the result to F instead of stdout")
    p.add_argument("--seed", type=_int_at_least(0, "seed"), default=0,
                   help="seed of the layout search (default 0: the same answer every run)")

    p = command("compare", "compile for several machines and compare the results side by "
                "side: two-qubit gates, depth, duration, estimated success", _cmd_compare)
    p.add_argument("--targets", default=None, metavar="A,B,...",
                   help="targets to compare (default: every preset)")
    p.add_argument("--level", type=int, choices=(0, 1, 2, 3), default=2,
                   help="optimisation level (default 2)")
    p.add_argument("--seed", type=_int_at_least(0, "seed"), default=0, help="layout seed")
    p.add_argument("--json", action="store_true", help="print the table as JSON")

    t = sub.add_parser("targets", help="list the preset machines", parents=[common],
                       description="list the preset machines")
    t.set_defaults(func=_cmd_targets)
    d = sub.add_parser("demo", help="a short tour: Bell pair, GHZ, Grover, machines",
                       parents=[common], description="a short tour of qvalley for a "
                       "newcomer: a Bell pair, a GHZ state, Grover's search and the same "
                       "circuit compiled for every preset machine")
    d.set_defaults(func=_cmd_demo)
    return parser


# -- loading ------------------------------------------------------------------------------------

def load_circuit(path: str, stdin: TextIO | None = None):
    """Load the OpenQASM program named on the command line (``-``: standard input).

    The file is checked first so that a missing or unreadable file reads as such, and
    OpenQASM errors name the file the user typed (``bad.qasm:3:5: ...``).
    """
    import qvalley
    if path == "-":
        stream = stdin if stdin is not None else sys.stdin
        if stream is None:
            raise UsageError("qvalley: error: standard input is closed; name a file instead "
                             "of -")
        # The bytes, which the reader decodes as it does a file's (UTF-8, or UTF-16 with a
        # byte order mark) and always takes for program text, never for a file name.
        buffer = getattr(stream, "buffer", None)
        data = buffer.read() if buffer is not None else \
            stream.read().encode("utf-8", errors="surrogateescape")
        try:
            return qvalley.load_qasm(data)
        except QasmError as err:
            if err.file in (None, "<input>", "<string>"):
                err.file = "<stdin>"
            raise
    target = Path(path)
    if not target.exists():
        raise UsageError(f"error: {path}: no such file")
    if target.is_dir():
        raise UsageError(f"error: {path}: is a directory, not an OpenQASM file")
    if target.is_file():
        # permissions: report them as an OSError, not a parse error (not for a pipe, such
        # as `<(command)`: opening it twice would lose what it holds)
        with open(target, "rb"):
            pass
    return qvalley.load_qasm(target)


# -- commands -----------------------------------------------------------------------------------

def _shown(path: str) -> str:
    """How outputs name the input file."""
    return "<stdin>" if path == "-" else path


def _print(text: str = "") -> None:
    sys.stdout.write(text + "\n")


def _can_encode(stream: TextIO, text: str) -> bool:
    encoding = getattr(stream, "encoding", None) or "ascii"
    try:
        text.encode(encoding)
    except (UnicodeEncodeError, LookupError):
        return False
    return True


def _clbit_names(circuit) -> list[str]:
    names = [f"c[{i}]" for i in range(circuit.num_clbits)]
    for reg in circuit.cregs:
        for i, bit in enumerate(reg):
            names[bit] = f"{reg.name}[{i}]"
    return names


def _bit_order(circuit) -> str:
    names = _clbit_names(circuit)[::-1]
    if len(names) > 6:
        names = [names[0], "...", names[-1]]
    return " ".join(names)


def _cmd_run(args: argparse.Namespace) -> int:
    import qvalley
    if args.memory and not args.json:
        raise UsageError("qvalley run: error: --memory needs --json (see 'qvalley run --help')")
    circuit = load_circuit(args.file)
    # Without --seed, draw a short seed here (rather than the library's 128-bit entropy)
    # so the header can tell the user a seed they can type to repeat the run.
    seed = args.seed if args.seed is not None else secrets.randbelow(1 << 31)
    noise = args.noise
    if args.twirl:
        if noise is None:
            raise UsageError("qvalley run: error: --twirl needs --noise TARGET (see "
                             "'qvalley run --help')")
        noise = qvalley.NoiseModel.from_target(noise).pauli_twirled()
    result = qvalley.run(circuit, shots=args.shots, seed=seed, noise=noise,
                         backend=args.backend)
    if args.plot:
        _save_figure(args.plot, lambda mpl: mpl.plot_histogram(
            result, labels=[f"{_shown(args.file)} ({result.backend})"]))
    if args.json:
        payload = {"counts": result.counts, "shots": result.shots, "seed": result.seed,
                   "backend": result.backend, "num_qubits": circuit.num_qubits,
                   "num_clbits": result.num_clbits, "time_taken": result.time_taken,
                   "file": _shown(args.file)}
        if args.memory:
            payload["memory"] = result.memory
        _print(json.dumps(payload, indent=2))
        return EXIT_OK
    seed_note = "" if args.seed is not None else f" (random; --seed {seed} repeats this run)"
    _print(f"{_shown(args.file)}: {result.shots} shots, seed {result.seed}{seed_note}, "
           f"backend {result.backend}, {result.time_taken * 1e3:.1f} ms")
    items = list(result.counts.items())
    if args.sort == "count":
        items.sort(key=lambda kv: (-kv[1], kv[0]))
        order = "by count, most frequent first"
    else:
        items.sort()
        order = "by bit string"
    _print(f"outcomes read {_bit_order(circuit)} (highest classical bit first), "
           f"sorted {order}")
    shown = items if args.all else items[:MAX_LINES]
    bar_char = "█" if _can_encode(sys.stdout, "█") else "#"
    key_w = max([len("outcome")] + [len(k) for k, _ in shown])
    count_w = max(len("count"), len(str(result.shots)))
    top = max((v for _, v in items), default=1)
    _print(f"{'outcome':<{key_w}}  {'count':>{count_w}}  probability")
    for key, count in shown:
        bar = bar_char * max(1, round(30 * count / top))
        prob = _probability(count / result.shots, 4)
        _print(f"{key:<{key_w}}  {count:>{count_w}}  {prob:>11}  {bar}")
    if len(shown) < len(items):
        _print(f"... {len(items) - len(shown)} more outcomes not shown; use --all to list "
               "them all, or --json")
    return EXIT_OK


def _probability(p: float, decimals: int) -> str:
    """``p`` with ``decimals`` decimals, or in scientific notation when those would keep
    fewer than two significant digits (a listed outcome must not read as probability 0)."""
    if p == 0 or p >= 10.0 ** (1 - decimals):
        return f"{p:.{decimals}f}"
    return f"{p:.2e}"


def _fmt_real(x: float) -> str:
    return f"{round(float(x), 6) + 0.0:+.6f}"


def _cmd_statevector(args: argparse.Namespace) -> int:
    import numpy as np
    import qvalley
    circuit = load_circuit(args.file)
    try:
        psi, plan = qvalley.statevector(circuit, seed=args.seed, precision=args.precision,
                                        threads=args.threads, explain=True) \
            if args.explain else (qvalley.statevector(circuit, seed=args.seed,
                                                      precision=args.precision,
                                                      threads=args.threads), None)
    except QValleyError as err:
        if args.seed is None and "seed" in str(err):   # a random mid-circuit outcome
            raise UsageError(f"error: {err} (on the command line: --seed N)") from None
        raise
    if args.explain:
        print(plan if plan is not None else "no plan: the circuit measures or resets "
              "mid-way, so it ran on the numpy engine shot by shot", file=sys.stderr)
    n = circuit.num_qubits
    if args.out:
        out = args.out if args.out.endswith(".npy") else args.out + ".npy"
        np.save(out, psi)
        if args.json:
            _print(json.dumps({"file": _shown(args.file), "out": out, "num_qubits": n,
                               "num_amplitudes": int(psi.size), "dtype": str(psi.dtype)},
                              indent=2))
        else:
            _print(f"wrote {psi.size} amplitudes ({n} qubits, {psi.dtype}) to {out}")
        return EXIT_OK
    index = np.flatnonzero(np.abs(psi) > args.tol)
    total = int(index.size)
    if not args.all:
        index = index[:MAX_LINES]
    kets = [format(int(i), f"0{n}b") if n else "" for i in index]
    if args.json:
        payload = {"file": _shown(args.file), "num_qubits": n, "tolerance": args.tol,
                   "amplitudes": {k: [float(psi[i].real), float(psi[i].imag)]
                                  for k, i in zip(kets, index)},
                   "num_listed": int(index.size), "num_above_tolerance": total,
                   "truncated": int(index.size) < total}
        _print(json.dumps(payload, indent=2))
        return EXIT_OK
    order = {0: "no qubits", 1: "kets read q[0]"}.get(
        n, f"kets read q[{n - 1}]...q[0], highest qubit first")
    _print(f"{_shown(args.file)}: {n} qubits, {total} of {psi.size} amplitudes above "
           f"{args.tol:g} ({order})")
    ket_w = max(len("basis"), n + 2)
    _print(f"{'basis':<{ket_w}}  {'amplitude':<21}  probability")
    probs = np.abs(psi[index]) ** 2
    for ket, i, p in zip(kets, index, probs):
        amp = f"{_fmt_real(psi[i].real)}{_fmt_real(psi[i].imag)}j"
        _print(f"{'|' + ket + '>':<{ket_w}}  {amp:<21}  {_probability(p, 6)}")
    if index.size < total:
        _print(f"... {total - index.size} more amplitudes not shown; use --all to list them "
               "all, or --out FILE.npy to save the state")
    return EXIT_OK


_FIGURE_TYPES = (".png", ".svg", ".pdf", ".jpg", ".jpeg")


def _save_figure(path: str, make) -> None:
    """Draw with matplotlib (``make(mpl module) -> Figure``) and save to ``path``; a
    missing matplotlib, a wrong extension or an unwritable path is one clear error."""
    from pathlib import Path
    if Path(path).suffix.lower() not in _FIGURE_TYPES:
        raise UsageError(f"qvalley: error: {path}: pictures are saved as "
                         f"{', '.join(_FIGURE_TYPES)}")
    try:
        import matplotlib
        matplotlib.use("Agg")
        from .viz import mpl
    except ImportError:
        raise UsageError("qvalley: error: pictures need matplotlib: pip install "
                         "'qvalley[viz]'") from None
    fig = make(mpl)
    try:
        fig.savefig(path, dpi=150, bbox_inches="tight")
    except OSError as exc:
        raise UsageError(f"qvalley: error: cannot write {path}: "
                         f"{exc.strerror or exc}") from None
    finally:
        import matplotlib.pyplot as plt
        plt.close(fig)


def _cmd_draw(args: argparse.Namespace) -> int:
    from .viz.text import UNICODE, draw_text
    circuit = load_circuit(args.file)
    if args.out:
        _save_figure(args.out, lambda mpl: mpl.draw_circuit(circuit))
        return EXIT_OK
    fold = args.fold
    if fold is None:
        fold = shutil.get_terminal_size((80, 24)).columns if sys.stdout.isatty() else 80
    glyphs = "".join(str(v) for v in vars(UNICODE).values())
    use_ascii = args.ascii or not _can_encode(sys.stdout, glyphs)
    drawing = draw_text(circuit, ascii=use_ascii, fold=fold)
    _print(drawing or "(empty circuit: no qubits and no classical bits)")
    return EXIT_OK


def circuit_summary(circuit) -> dict:
    """The facts ``qvalley info`` reports, as a JSON-ready dict."""
    data = circuit.data
    later_q: set[int] = set()      # qubits acted on after the current point
    later_c: set[int] = set()      # clbits read or written after the current point
    mid = False
    for ins in reversed(data):
        if ins.kind == "barrier":
            continue
        if ins.kind == "measure" and (ins.qubits[0] in later_q or ins.clbits[0] in later_c):
            mid = True
        later_q.update(ins.qubits)
        later_c.update(ins.clbits)
        if ins.condition is not None:
            later_c.update(ins.condition.clbits)
    return {
        "name": circuit.name,
        "num_qubits": circuit.num_qubits,
        "num_clbits": circuit.num_clbits,
        "qregs": {r.name: r.size for r in circuit.qregs},
        "cregs": {r.name: r.size for r in circuit.cregs},
        "depth": circuit.depth(),
        "size": circuit.size(),
        "num_instructions": len(data),
        "count_ops": circuit.count_ops(),
        "num_nonlocal_gates": circuit.num_nonlocal_gates(),
        "mid_circuit_measurement": mid,
        "num_conditional_ops": sum(1 for ins in data if ins.condition is not None),
        "num_resets": sum(1 for ins in data if ins.kind == "reset"),
        "num_parameters": circuit.num_parameters,
        "parameters": [p.name for p in circuit.parameters],
    }


def _cmd_info(args: argparse.Namespace) -> int:
    circuit = load_circuit(args.file)
    info = circuit_summary(circuit)
    if args.json:
        _print(json.dumps({"file": _shown(args.file), **info}, indent=2))
        return EXIT_OK

    def regs(d: dict) -> str:
        return ", ".join(f"{k}[{v}]" for k, v in d.items()) or "none"

    ops = ", ".join(f"{k} {v}" for k, v in info["count_ops"].items()) or "none"
    params = str(info["num_parameters"])
    if info["parameters"]:
        params += " (" + ", ".join(info["parameters"]) + ")"
    rows = [
        ("file", _shown(args.file)),
        ("qubits", f"{info['num_qubits']}  ({regs(info['qregs'])})"),
        ("clbits", f"{info['num_clbits']}  ({regs(info['cregs'])})"),
        ("depth", str(info["depth"])),
        ("size", f"{info['size']}  (operations, barriers excluded)"),
        ("gate counts", ops),
        ("two-qubit+ gates", str(info["num_nonlocal_gates"])),
        ("mid-circuit measurement", "yes" if info["mid_circuit_measurement"] else "no"),
        ("conditional operations", str(info["num_conditional_ops"])),
        ("resets", str(info["num_resets"])),
        ("parameters", params),
    ]
    width = max(len(k) for k, _ in rows) + 1
    for key, value in rows:
        _print(f"{key + ':':<{width}} {value}")
    return EXIT_OK


# -- entry point --------------------------------------------------------------------------------

def _cmd_compile(args: argparse.Namespace) -> int:
    import qvalley
    from .targets import get_target
    circuit = load_circuit(args.file)
    target = get_target(args.target)
    fmt = args.format or ("ionq-json" if "gpi2" in target.basis else "qasm3")
    compiled = qvalley.compile(circuit, target, optimization_level=args.level,
                               seed=args.seed)
    if fmt == "ionq-json":
        import json
        from .compile.verify import active_circuit
        from .targets.ionq_json import to_ionq_json
        active = _trimmed(compiled, circuit.num_qubits) if target.all_to_all else \
            active_circuit(compiled)[0]
        text = json.dumps(to_ionq_json(active), indent=1)
    else:
        text = qvalley.dump_qasm(compiled, version=3 if fmt == "qasm3" else 2)
    layout = compiled.layout
    note = (f"compiled for {target.name} at level {args.level}: "
            f"{compiled.num_nonlocal_gates()} two-qubit gates, depth {compiled.depth()}; "
            f"layout {list(layout.initial)} -> {list(layout.final)}")
    if args.out:
        Path(args.out).write_text(text if text.endswith("\n") else text + "\n")
        _print(note + f"; written to {args.out}")
    else:
        _print(text.rstrip("\n"))
        print(note, file=sys.stderr)
    return EXIT_OK


def _trimmed(compiled, n: int):
    """An all-to-all compiled circuit on its first n qubits (the others are idle)."""
    from .circuit import Circuit
    out = Circuit(n, compiled.num_clbits)
    for ins in compiled.data:
        out.append(ins)
    return out


def _cmd_demo(args: argparse.Namespace) -> int:
    from .demo import run_demo
    run_demo(_print)
    return EXIT_OK


def _cmd_compare(args: argparse.Namespace) -> int:
    import qvalley
    from .compile.report import estimate
    from .targets import get_target, targets
    circuit = load_circuit(args.file)
    names = [t.name for t in targets()] if args.targets is None else \
        [x.strip() for x in args.targets.split(",") if x.strip()]
    if not names:
        raise UsageError("error: --targets needs at least one target name")
    rows = []
    for name in names:
        target = get_target(name)
        if circuit.num_qubits > target.num_qubits:
            rows.append({"target": target.name, "error": f"needs {circuit.num_qubits} "
                         f"qubits, has {target.num_qubits}"})
            continue
        compiled = qvalley.compile(circuit, target, optimization_level=args.level,
                                   seed=args.seed)
        row = estimate(compiled, target).as_dict()
        row["noisy_fidelity"] = None
        if target.calibration is not None:
            from .sim.density.engine import noisy_fidelity
            row["noisy_fidelity"] = noisy_fidelity(
                circuit, compiled, qvalley.NoiseModel.from_target(target))
        rows.append(row)
    if args.json:
        import json
        _print(json.dumps(rows, indent=1))
        return EXIT_OK
    head = f"{'target':<16} {'2q gates':>9} {'1q pulses':>10} {'depth':>6} " \
           f"{'duration':>11} {'est. success':>13} {'noisy fidelity':>15}"
    _print(f"{_shown(args.file)}: {circuit.num_qubits} qubits, "
           f"{circuit.num_nonlocal_gates()} multi-qubit gates; level {args.level}")
    _print(head)
    for r in rows:
        if "error" in r:
            _print(f"{r['target']:<16} {r['error']}")
            continue
        dur = "n/a" if r["duration"] is None else _fmt_time(r["duration"])
        ok = "n/a" if r["success"] is None else f"{r['success']:.4f}" + \
            ("" if r["readout_known"] else "*")
        fid = "n/a" if r.get("noisy_fidelity") is None else f"{r['noisy_fidelity']:.4f}"
        _print(f"{r['target']:<16} {r['two_qubit']:>9} {r['one_qubit']:>10} {r['depth']:>6} "
               f"{dur:>11} {ok:>13} {fid:>15}")
    _print("success: (1-e1)^pulses (1-e2)^2q (1-readout)^measured from each target's "
           "published figures (calibration sources: qvalley.targets.presets)")
    _print("noisy fidelity: Hellinger fidelity of the compiled circuit's outcomes under the "
           "target's noise model (qv.NoiseModel.from_target, exact density matrix) against "
           "the ideal ones; n/a without measurements or above 12 active qubits")
    if any(not r.get("readout_known", True) for r in rows):
        _print("* no published readout error for this target: readout not counted")
    return EXIT_OK


def _fmt_time(t: float) -> str:
    if t >= 1e-3:
        return f"{t * 1e3:.3g} ms"
    if t >= 1e-6:
        return f"{t * 1e6:.3g} us"
    return f"{t * 1e9:.3g} ns"


def _cmd_targets(args: argparse.Namespace) -> int:
    from .targets import targets
    for t in targets():
        edges = "all-to-all" if t.all_to_all else f"{len(t.undirected_edges())} couplers"
        _print(f"{t.name:<14} {t.num_qubits:>4} qubits, {edges:<14} "
               f"{', '.join(t.basis)}  ({t.description})")
    return EXIT_OK


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _error(message: str) -> None:
    if sys.stderr is None:          # started with standard error closed
        return
    try:
        sys.stderr.write(_one_line(message) + "\n")
        sys.stderr.flush()
    except (OSError, ValueError):   # stderr closed too: nothing more we can say
        pass


def _os_error(err: OSError) -> str:
    what = err.strerror or type(err).__name__
    if err.filename is not None:
        return f"error: {err.filename}: {what}"
    return f"error: {what}"


def _silence_stdout() -> None:
    """After a broken pipe, point stdout at /dev/null so the interpreter's final flush does
    not complain; harmless where stdout has no file descriptor (tests)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):   # io.UnsupportedOperation is both
        pass


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``qvalley`` command with ``argv`` (default ``sys.argv[1:]``); returns the
    exit status instead of exiting, so it can be called from Python."""
    argv = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in argv
    try:
        parser = build_parser()
        args = parser.parse_args(argv)
        debug = bool(getattr(args, "debug", False))
        if args.command is None:
            raise UsageError("qvalley: error: a command is required: run, statevector, draw, "
                             "info, compile, compare or targets (see 'qvalley --help')")
        if sys.stdout is None:      # started with standard output closed (`>&-`)
            raise UsageError("qvalley: error: standard output is closed; nothing can be "
                             "printed")
        status = args.func(args)
        sys.stdout.flush()
        return status
    except _Exit as stop:
        return stop.status
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        _silence_stdout()
        return EXIT_BROKEN_PIPE
    except UsageError as err:
        _error(str(err))
        return EXIT_INPUT
    except QasmError as err:
        if debug:
            raise
        _error(str(err))
        return EXIT_INPUT
    except QValleyError as err:
        if debug:
            raise
        _error(f"error: {err}")
        return EXIT_INPUT
    except UnicodeDecodeError as err:
        if debug:
            raise
        _error(f"error: the input is not UTF-8 text ({err.reason} at byte {err.start})")
        return EXIT_INPUT
    except MemoryError:
        if debug:
            raise
        _error("error: ran out of memory; try fewer qubits or fewer shots")
        return EXIT_INPUT
    except OSError as err:
        if debug:
            raise
        _error(_os_error(err))
        return EXIT_INPUT
    except Exception as err:  # noqa: BLE001 - the last line of defence against tracebacks
        if debug:
            raise
        _error(f"qvalley: internal error ({type(err).__name__}: {err}); this is a bug in "
               "qvalley, please report it with the command and the input file (rerun with "
               "--debug to see the traceback)")
        return EXIT_INTERNAL


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

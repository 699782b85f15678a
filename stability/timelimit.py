"""Running a computation that cannot be interrupted from inside (sympy) under a time limit."""

import multiprocessing

from .errors import NotSupportedError, StabilityError, TimeLimitError


def run_with_time_limit(fn, args, seconds, what):
    """``fn(*args)`` in a forked process, stopped after ``seconds`` (sympy computations cannot
    be interrupted from inside). Where fork is unavailable it runs here, without a limit."""


    try:
        ctx = multiprocessing.get_context("fork")
    except ValueError:
        return fn(*args)
    receive, send = ctx.Pipe(duplex=False)
    process = ctx.Process(target=_child, args=(send, fn, args), daemon=True)
    process.start()
    send.close()
    try:
        if not receive.poll(seconds):
            raise TimeLimitError(f"{what} did not finish within {seconds:g} s (time_limit); the "
                                 "symbolic problem is too large")
        ok, value = receive.recv()
    except EOFError:
        raise TimeLimitError(f"{what} stopped without a result (out of memory?)") from None
    finally:
        if process.is_alive():
            process.kill()
        process.join()
    if not ok:
        raise value
    return value


def _child(send, fn, args):
    try:
        send.send((True, fn(*args)))
    except StabilityError as exc:
        send.send((False, exc))
    except Exception as exc:  # a sympy failure: typed, with its message

        send.send((False, NotSupportedError(f"sympy could not decide the stable set: "
                                            f"{type(exc).__name__}: {exc}")))
    finally:
        send.close()

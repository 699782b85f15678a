"""Results as text people publish: Markdown, LaTeX (booktabs) and HTML tables (the latter what
Jupyter shows for a result), and hyperparameters written the way a paper states them.

Only plain data goes in — lists of rows of strings and numbers — so every result formats through
the same few functions.
"""

import html
import math
import numbers

import numpy as np

SYMBOLS = {"lr": "η", "lr_x": "ηx", "lr_y": "ηy", "lr_y2": "ηy₂", "beta": "β", "alpha": "α", "gamma": "γ",
           "lam": "λ", "k": "k", "h": "h"}
"""How a hyperparameter is written (``lr_x`` → "ηx")."""

LATEX_SYMBOLS = {"lr": r"\eta", "lr_x": r"\eta_x", "lr_y": r"\eta_y", "lr_y2": r"\eta_{y,2}", "beta": r"\beta",
                 "alpha": r"\alpha", "gamma": r"\gamma", "lam": r"\lambda"}


def number(value, digits=6):
    """A number as text: ``digits`` significant digits, complex as ``a + bi``, None as "—"."""
    if value is None:
        return "—"
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    if isinstance(value, numbers.Complex) and not isinstance(value, numbers.Real):
        z = complex(value)
        if z.imag == 0:
            return number(z.real, digits)
        sign = "−" if z.imag < 0 else "+"
        return f"{number(z.real, digits)} {sign} {number(abs(z.imag), digits)}i"
    if isinstance(value, numbers.Real):
        v = float(value)
        if math.isinf(v):
            return "∞" if v > 0 else "−∞"
        return f"{v:.{digits}g}".replace("-", "−")
    return str(value)


def hyperparameters(hp, digits=6, latex=False):
    """``{"lr_x": 0.05, "beta": -0.5}`` as "ηx = 0.05, β = −0.5" (or LaTeX math); matrices (a
    preconditioner) as their shape, None (unset) left out."""
    parts = []
    for key, value in hp.items():
        if value is None:
            continue
        name = (LATEX_SYMBOLS.get(key, rf"\mathrm{{{key}}}") if latex else SYMBOLS.get(key, key))
        array = np.asarray(value) if not isinstance(value, (numbers.Number, str)) else None
        if array is not None and array.ndim >= 1:
            text = "×".join(str(d) for d in array.shape) + " matrix"
        else:
            text = number(value, digits)
        parts.append(f"${name} = {text.replace('−', '-')}$" if latex else f"{name} = {text}")
    return ", ".join(parts) if parts else ("—" if not latex else "")


def markdown(header, rows):
    """A GitHub-flavoured Markdown table (``|`` in cells escaped)."""
    cell = lambda v: str(v).replace("|", r"\|")
    lines = ["| " + " | ".join(cell(h) for h in header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


LATEX_ESCAPES = {"&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_", "{": r"\{", "}": r"\}",
                 "~": r"\textasciitilde{}", "^": r"\textasciicircum{}", "\\": r"\textbackslash{}"}


def latex_text(text):
    """Plain text made safe for LaTeX (math already in ``$…$`` is kept)."""
    out, math_mode = [], False
    for ch in str(text):
        if ch == "$":
            math_mode = not math_mode
            out.append(ch)
        elif math_mode:
            out.append(ch)
        else:
            out.append(LATEX_ESCAPES.get(ch, ch))
    return "".join(out).replace("−", "-").replace("ρ", r"$\rho$").replace("≈", r"$\approx$")


def latex(header, rows, caption=None, label=None, align=None):
    """A booktabs ``table`` environment (needs ``\\usepackage{booktabs}``)."""
    align = align or "l" * len(header)
    body = [r"\begin{table}[t]", r"\centering"]
    if caption:
        body.append(rf"\caption{{{latex_text(caption)}}}")
    if label:
        body.append(rf"\label{{{label}}}")
    body += [rf"\begin{{tabular}}{{{align}}}", r"\toprule", " & ".join(latex_text(h) for h in header) + r" \\",
             r"\midrule"]
    body += [" & ".join(latex_text(v) for v in row) + r" \\" for row in rows]
    body += [r"\bottomrule", r"\end{tabular}", r"\end{table}"]
    return "\n".join(body)


def html_table(header, rows, caption=None):
    """An HTML table (what a result shows in Jupyter)."""
    esc = lambda v: html.escape(str(v))
    out = ["<table>"]
    if caption:
        out.append(f"<caption style='text-align:left'>{esc(caption)}</caption>")
    out.append("<thead><tr>" + "".join(f"<th style='text-align:left'>{esc(h)}</th>" for h in header) + "</tr></thead>")
    out.append("<tbody>" + "".join("<tr>" + "".join(f"<td style='text-align:left'>{esc(v)}</td>" for v in row)
                                   + "</tr>" for row in rows) + "</tbody>")
    out.append("</table>")
    return "".join(out)


def point(z, digits=6):
    """A point as "(0, 0.5)"."""
    return "(" + ", ".join(number(v, digits) for v in np.asarray(z).ravel()) + ")"

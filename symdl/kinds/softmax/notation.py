"""The softmax kind's notation: its named formulas and a class name shown as text, each printing itself.

The printer (symdl.notation.printer.SymdlPrinter) calls an object's ``_symdl_latex(printer)`` before any
``_print_<Class>`` of its own, so these objects need nothing attached to it.
"""

from __future__ import annotations

from symdl.notation.display import NamedFormula


class SoftmaxClassName(str):
    """A class name inside a softmax formula: printed as upright text, TeX's specials escaped."""

    def text(self):
        """The name for use inside \\text{...}: TeX's special characters escaped, the rest dropped."""
        out = []
        for ch in self:
            if ch in "&%$#_{}":
                out.append("\\" + ch)
            elif ch.isprintable() and ch not in "\\^~":
                out.append(ch)
        return "".join(out) or "?"


class SoftmaxFormula(NamedFormula):
    """One of the softmax kind's named formulas (SOFTMAX_FORMULAS), its slots filled with ``args``
    (SymPy objects, numbers, printed math, or a class name shown as text)."""

    def _slot(self, printer, arg):
        if isinstance(arg, SoftmaxClassName):
            return arg.text()
        return super()._slot(printer, arg)


# @1, @2 are the slots
SOFTMAX_FORMULAS = {
    "score": r"s_n = \mathbf{w}_n \cdot \mathbf{x} + B_n",
    "score_reg": r"s_n = \mathbf{w}_n \cdot \mathbf{x} + B_n + r_n",
    "row": r"\mathbf{w}_n",
    "term_l1": r"\sum_{i=1}^D |w_{N,i}|",
    "term_l2": r"\sum_i w_{N,i}^2",
    "norm_l1": r"r_n = \lVert \mathbf{w}_n \rVert_1",
    "norm_l2": r"r_n = \lVert \mathbf{w}_n \rVert_2^2",
    "all_l1": r"r = \sum_{n,i} |W_{n,i}|",
    "all_l2": r"r = \sum_{n,i} W_{n,i}^2",
    "sum_all_l1": r"\sum_{n,i} |W_{n,i}|",
    "sum_all_l2": r"\sum_{n,i} W_{n,i}^2",
    "shift": r"\frac{e^{s_k + c}}{\sum_j e^{s_j + c}} = \frac{e^{c}\, e^{s_k}}{e^{c} \sum_j e^{s_j}}"
             r" = \frac{e^{s_k}}{\sum_j e^{s_j}}.",
    "r_is": "r = @1",
    "r_n": "r_n",
    "r": "r",
    "penalty": r"\lambda \lVert W \rVert_1",
    "x_is": r"\mathbf{x} = @1",
    "e_minus_m": r"e^{-m}",
    "max_shift": r"m = \max_k s_k = s_{@1} = @2",
    "softmax": r"p_k = \frac{e^{s_k}}{\sum_j e^{s_j}} = \frac{e^{s_k - m}}{\sum_j e^{s_j - m}}",
    "probability": r"P(y = k \mid \mathbf{x}) = \frac{e^{s_k}}{\sum_j e^{s_j}}",
    "denominator": r"\sum_j e^{s_j - m}",
    "s_k": "s_k",
    "s_k_shifted": "s_k - m",
    "e_k": "e^{s_k - m}",
    "p_k_col": r"p_k = e^{s_k - m} / \sum_j e^{s_j - m}",
    "e_and_value": "@1 @2",
    "sum_p": r"\sum_k p_k",
    "sum_p_ratio": r"\frac{\sum_k e^{s_k - m}}{\sum_j e^{s_j - m}}",
    "approx_sum": r"@1 \approx @2",
    "argmax": r"\hat{y} = \arg\max_k p_k = @1",
    "argmax_named": r"\hat{y} = \arg\max_k p_k = @1\ (\text{class @2})",
    "p_value": "p_{@1} @2",
    "ce": r"-\ln p_y = \ln \sum_j e^{s_j - m} - (s_y - m)",
    "ce_substituted": r"\ln\Big(@1\Big) - \left(@2\right)",
    "p_minus_e_y": r"\mathbf{p} - \mathbf{e}_y",
    "g": r"\mathbf{g} = \frac{\partial L}{\partial \mathbf{s}}",
    "p_minus_e": r"\mathbf{p} - \mathbf{e}_{@1}",
    "delta_is": r"\Delta = @1",
    "dL_ds_j": r"\partial L/\partial s_j",
    "dL_ds_y": r"\partial L/\partial s_y",
    "g_xT": r"\mathbf{g}\, \mathbf{x}^T",
    "g_times": r"\mathbf{g} \cdot @1",
    "ds_dW": r"\partial s_n / \partial W_{n,i} = x_i",
    "diag_l1": r"\operatorname{diag}(\mathbf{g})\, \big(\mathbf{1}\,\mathbf{x}^T + \operatorname{sign}(W)\big)",
    "diag_l2": r"\operatorname{diag}(\mathbf{g})\, \big(\mathbf{1}\,\mathbf{x}^T + 2W\big)",
    "diag_times": r"\operatorname{diag}(\mathbf{g}) \cdot @1",
    "ds_dW_l1": r"\partial s_n / \partial W_{n,i} = x_i + \operatorname{sign}(W_{n,i})",
    "ds_dW_l2": r"\partial s_n / \partial W_{n,i} = x_i + 2 W_{n,i}",
    "all_grad_l1": r"\mathbf{g}\,\mathbf{x}^T + \Big(\sum_n g_n\Big) \operatorname{sign}(W)",
    "all_grad_l2": r"\mathbf{g}\,\mathbf{x}^T + \Big(\sum_n g_n\Big) 2W",
    "ds_dW_all_l1": r"\partial s_n / \partial W_{m,i} = \delta_{nm} x_i + \operatorname{sign}(W_{m,i})",
    "ds_dW_all_l2": r"\partial s_n / \partial W_{m,i} = \delta_{nm} x_i + 2 W_{m,i}",
    "sum_g": r"\sum_n g_n = @1",
    "dL_dW": r"\frac{\partial L}{\partial W}",
    "dL_dB": r"\frac{\partial L}{\partial \mathbf{B}}",
    "g_vec": r"\mathbf{g}",
    "p_col": "p_{@1}",
    "fixed4": "@1",
    "starred": r"@1^{\ast}",
}

SOFTMAX_FORMULAS.update({
    "r_values": r"\mathbf{r} = @1",
    "p_vec": r"\mathbf{p} @1",
    "s_vec": r"\mathbf{s}",
})
SOFTMAX_FORMULAS.update({           # the model answer's matrix steps (one line per case, not one per class)
    "r_vec": r"\mathbf{r}",
    "r_rows_l1": r"\big[\lVert \mathbf{w}_1 \rVert_1\ \cdots\ \lVert \mathbf{w}_N \rVert_1\big]^T",
    "r_rows_l2": r"\big[\lVert \mathbf{w}_1 \rVert_2^2\ \cdots\ \lVert \mathbf{w}_N \rVert_2^2\big]^T",
    "score_mat": r"W\mathbf{x} + \mathbf{B}",
    "score_mat_reg": r"W\mathbf{x} + \mathbf{B} + @1",
    "vec_sum": r"@1 + @2",
    "vec_sum_reg": r"@1 + @2 + @3",
    "p_exp_k": r"p_k = e^{s_k - m} / \sum_j e^{s_j - m}",
    "p_exp_sub": r"\frac{1}{@1}\, @2",
})

SoftmaxFormula.TABLE = SOFTMAX_FORMULAS

"""The neuron question on the exam sheet: the model as written, the activation, W, x, b and dL/dy as the
DI504 paper gives them (Q2), and not z = W^T x + b = -0.04 (the key's value)."""

from support import di504_question, one_question, sheet_of, sheet_text


def test_di504_q2_shows_the_givens_and_not_z():
    text = sheet_text(sheet_of(di504_question("Q2")))
    assert r"y = A(\mathbf{W}^T \cdot \mathbf{x} + \mathbf{b})" in text
    assert "ReLU" in text and r"\max\left(0, z\right)" in text
    assert r"W = \left[\begin{matrix}-0.1 & -0.2 & 0 & -0.1 & -0.3\end{matrix}\right]^{T}" in text
    assert r"x = \left[\begin{matrix}0.7 & 0.9 & 0.9 & 0.2 & 0.9\end{matrix}\right]^{T}" in text
    assert "b = 0.5" in text and r"\frac{\partial L}{\partial y} = -0.124" in text
    assert "0.04" not in text and "dead" not in text.lower()


def test_a_leaky_neuron_states_its_slope(tmp_path):
    q = one_question(tmp_path, "neuron", "activation = 'leaky_relu'\nslope = 0.2\nW = '[1 \\quad 2]^T'\n"
                                         "x = '[0.5 \\quad -1]^T'\nb = '[0.1]'\nupstream = '[1]'\n")
    text = sheet_text(sheet_of(q))
    assert "leaky ReLU with slope 0.2: " in text and r"\max\left(z, \frac{z}{5}\right)" in text
    assert "-1.4" not in text            # z = 0.5 - 2 + 0.1

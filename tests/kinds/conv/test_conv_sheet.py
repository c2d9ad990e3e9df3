"""The conv question on the exam sheet: the input, the kernel and the settings as the question states
them (the docs example, docs/kinds/conv.md), and no output entry."""

from support import documented_example, one_question, sheet_of, sheet_text
from symdl.input.spec import load_exam


def test_the_documented_convolution_shows_input_and_kernel(tmp_path):
    q = load_exam(documented_example("conv", tmp_path)).questions[0]
    text = sheet_text(sheet_of(q))
    assert r"X = \left[\begin{matrix}3 & 3 & 2 & 1 & 0\\0 & 0 & 1 & 3 & 1" in text
    assert r"K = \left[\begin{matrix}0 & 1 & 2\\2 & 2 & 0\\0 & 1 & 2\end{matrix}\right]" in text
    assert "sum of the outputs" in text


def test_a_pool_states_window_stride_and_upstream(tmp_path):
    q = one_question(tmp_path, "conv", 'operation = "maxpool"\ninput = \'\\begin{bmatrix} 1 & 2 \\\\ 3 & 4 \\end{bmatrix}\'\n'
                                       'window = 2\nstride = 2\nupstream = \'\\begin{bmatrix} 0.5 \\end{bmatrix}\'\n')
    text = sheet_text(sheet_of(q))
    assert "Window 2, stride 2" in text and r"\frac{\partial L}{\partial Y} = \left[\begin{matrix}0.5\end{matrix}\right]" in text
    assert "4" not in text.replace("1 & 2\\\\3 & 4", "")          # the max, 4, only as an input entry

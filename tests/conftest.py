"""Test layout: tests/unit, tests/kinds/<kind>, tests/pipeline; tests/ itself (support, fakekind, data) is importable.

Markers (registered in setup.cfg, ``--strict-markers``) are applied here, from the lists below, so
that one place says which tests are slow or need TeX or Chromium; ``make test-fast`` runs
``-m "not slow and not tex and not browser"``. An entry is a module (every test in it),
``module::test`` (every parametrization of that test) or one test's whole id. An entry that
matches no test is an error, so that a renamed test cannot silently lose its marker.

- ``tex``: the test runs TeX (latexmk or pdflatex), as found by running the whole suite with a
  latexmk/pdflatex on PATH that logged which test called it; and every test whose ``skipif``
  names latexmk, pdflatex or TeX as the reason it skips.
- ``browser``: the test opens a page in headless Chromium (support.find_browser; without one it
  skips, saying how to install one).
- ``slow``: the test (with the module fixtures it is first to need) took more than about 5 s of CPU,
  its own and its subprocesses', measured over the whole suite (Python 3.11, 2 cores).
"""

import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from support import NO_BROWSER, find_browser  # noqa: E402  (needs the path above)

TEX = (
    "tests/kinds/architecture/test_architecture.py::test_pdf_end_to_end",
    "tests/kinds/conv/test_conv.py::test_docs_example_derives_with_its_pdf",
    "tests/kinds/graph/test_graph_regressions.py::test_exp_1000_is_written_as_a_number",
    "tests/kinds/graph/test_graph_regressions.py::test_fractional_powers_derive",
    "tests/kinds/graph/test_graph_regressions.py::test_log_at_1e_minus_6",
    "tests/kinds/graph/test_graph_regressions.py::test_nested_max_tie_follows_the_stated_convention",
    "tests/kinds/graph/test_graph_regressions.py::test_relu_next_to_its_kink",
    "tests/kinds/graph/test_graph_regressions.py::test_sum_of_399_terms",
    "tests/kinds/neuron/test_neuron.py::test_pdf_end_to_end",
    "tests/kinds/softmax/test_softmax.py::test_pdf_end_to_end",
    "tests/kinds/training_log/test_training_log.py::test_pdf_end_to_end",
    "tests/pipeline/test_docs_examples.py::test_docs_example_derives_with_its_pdf",
    "tests/pipeline/test_docs_examples.py::test_graph_docs_example_output_matches_numpy",
    "tests/pipeline/test_kind_regressions.py::test_constant_validation_loss_derives_verified",
    "tests/pipeline/test_kind_regressions.py::test_neuron_tiny_slope_derives_verified",
    "tests/pipeline/test_kind_regressions.py::test_softmax_far_apart_scores_derive_verified",
    "tests/pipeline/test_margins.py::test_no_line_runs_past_the_margin",
    "tests/pipeline/test_margins.py::test_overfull_reads_a_real_log",
    "tests/pipeline/test_output_safety.py::test_regression_concurrent_derives",
    "tests/pipeline/test_safety.py::test_a_tex_loop_is_stopped_whole",
    "tests/pipeline/test_safety.py::test_every_character_the_spec_accepts_can_be_typeset",
    "tests/pipeline/test_safety.py::test_failed_build_reports_the_first_tex_error_on_one_line",
    "tests/pipeline/test_safety.py::test_failed_tex_build_still_writes_the_tex_and_answers",
    "tests/pipeline/test_safety.py::test_hostile_spec_prints_as_text_in_the_pdf_and_runs_nothing",
    "tests/pipeline/test_safety.py::test_shell_escape_is_off_even_with_a_hostile_latexmkrc",
    "tests/pipeline/test_safety.py::test_special_characters_in_kind_strings_print_as_text",
    "tests/pipeline/test_safety.py::test_tex_cannot_read_absolute_paths",
    "tests/pipeline/test_safety.py::test_tex_cannot_write_outside_its_folder",
    "tests/pipeline/test_safety.py::test_untypesettable_characters_in_a_data_file_do_not_break_the_pdf",
    "tests/pipeline/test_sheet.py::test_no_docs_example_sheet_shows_an_answer",
    "tests/pipeline/test_sheet.py::test_the_di504_sheet_shows_no_answer",
    "tests/pipeline/test_tex_safety.py::test_a_tex_loop_is_stopped_by_the_timeout_and_leaves_nothing",
    "tests/pipeline/test_tex_safety.py::test_any_accepted_name_typesets_in_the_graph",
    "tests/pipeline/test_tex_safety.py::test_every_display_the_checker_accepts_typesets",
    "tests/pipeline/test_tex_safety.py::test_subscripted_names_typeset_in_the_graph",
    "tests/pipeline/test_tex_safety.py::test_tex_can_neither_overwrite_nor_read_answers_json",
    "tests/pipeline/test_tex_safety.py::test_text_of_200k_characters_builds_on_short_lines",
    "tests/pipeline/test_tex_safety.py::test_text_prints_as_written_in_the_pdf",
    "tests/pipeline/test_tex_safety.py::test_the_first_tex_error_is_in_the_build_error",
    "tests/pipeline/test_tex_safety.py::test_what_the_display_check_accepts_tex_typesets",
    "tests/pipeline/test_variants.py::test_one_tex_run_per_batch_split_back_into_each_variants_pages",
    "tests/pipeline/test_variants.py::test_page_references_stay_each_variants_own_in_one_pass_when_the_layouts_agree",
    "tests/pipeline/test_variants.py::test_same_seed_gives_byte_identical_output_and_the_hash_is_printed_on_each_key",
)

BROWSER = (
    "tests/pipeline/test_html.py::test_browser_lays_the_math_out",
    "tests/pipeline/test_html.py::test_di504_page_renders",
    "tests/pipeline/test_svg.py::test_chromium_draws_every_figure",
)

SLOW = (
    "tests/kinds/graph/test_graph_mistakes.py::test_three_layers_local_gradients_forgotten_against_numpy",  # 15 s
    "tests/kinds/graph/test_graph_regressions.py::test_exp_1000_is_written_as_a_number",  # 5 s
    "tests/kinds/graph/test_graph_regressions.py::test_fractional_powers_derive",  # 5 s (3)
    "tests/kinds/graph/test_graph_regressions.py::test_log_at_1e_minus_6",  # 5 s
    "tests/kinds/graph/test_graph_regressions.py::test_nested_max_tie_follows_the_stated_convention",  # 5 s
    "tests/kinds/graph/test_graph_regressions.py::test_power_of_a_power_derives_and_prints",  # 18 s
    "tests/kinds/graph/test_graph_regressions.py::test_sum_of_399_terms",  # 16 s
    "tests/kinds/graph/test_graph_regressions.py::test_toml_subnormal_right_answer",  # 5 s
    "tests/kinds/graph/test_graph_linear.py::test_program_of_300_lines_derives",  # 7 s
    "tests/kinds/graph/test_torch_graph.py::test_two_layer_network_against_autograd",  # 5 s
    "tests/kinds/training_log/test_generate.py::test_every_seed_is_read_as_its_behaviour",  # 10 s (5)
    "tests/kinds/training_log/test_generate_bounds.py::test_random_documented_settings_read_as_their_behaviour",  # 20 s
    "tests/lms/test_canvas_import.py::test_canvas_imports_and_grades_di504[numerical]",  # 5 s
    "tests/lms/test_canvas_import.py::test_canvas_imports_and_grades_variants",  # 13 s
    "tests/pipeline/test_bad_input.py::test_malformed_spec_exits_2_with_one_clear_line[arch_channel_mismatch]",  # 8 s
    "tests/pipeline/test_cli.py::test_data_dir_admits_a_log_elsewhere",  # 6 s
    "tests/pipeline/test_cli.py::test_regression_render_past_the_time_limit",  # 6 s
    "tests/pipeline/test_determinism.py::test_pdf_identical_with_source_date_epoch",  # 13 s
    "tests/pipeline/test_determinism.py::test_tex_and_json_identical_across_hash_seeds_and_folders",  # 5 s
    "tests/pipeline/test_docs_examples.py::test_docs_example_derives_with_its_pdf[docs/kinds/graph.md#1]",  # 5 s
    "tests/pipeline/test_draws_nonzero.py::test_30_di504_variants_draw_no_zero_weight",  # 29 s
    "tests/pipeline/test_docs_examples.py::test_docs_example_derives_with_its_pdf[docs/kinds/graph.md#3]",  # 5 s
    "tests/pipeline/test_docs_examples.py::test_docs_example_derives_with_its_pdf[docs/kinds/training_log.md#1]",  # 5 s
    "tests/pipeline/test_docs_examples.py::test_graph_docs_example_output_matches_numpy",  # 5 s
    "tests/pipeline/test_documents.py::test_di504_summary_lists_every_final_answer",  # 8 s
    "tests/pipeline/test_export_canvas.py::test_same_spec_same_bytes_across_processes",  # 5 s
    "tests/pipeline/test_export_moodle.py::test_export_beside_the_key_and_in_the_manifest",  # 8 s
    "tests/pipeline/test_fuzz.py::test_structured_mutations",  # 5 s
    "tests/pipeline/test_html_scan.py::test_html_key_has_no_raw_latex_and_every_figure_of_the_pdf[graph_three_layers]",  # 6 s
    "tests/pipeline/test_html_scan.py::test_html_key_has_no_raw_latex_and_every_figure_of_the_pdf[neuron_twelve_inputs]",  # 16 s
    "tests/pipeline/test_key_voice.py::test_the_di504_key_has_no_tool_voice",  # 5 s
    "tests/pipeline/test_kind_regressions.py::test_constant_validation_loss_derives_verified",  # 5 s
    "tests/pipeline/test_margins.py::test_no_line_runs_past_the_margin[di504]",  # 6 s
    "tests/pipeline/test_margins.py::test_no_line_runs_past_the_margin[graph_three_layers]",  # 9 s
    "tests/pipeline/test_margins.py::test_no_line_runs_past_the_margin[neuron_twelve_inputs]",  # 9 s
    "tests/pipeline/test_margins.py::test_no_line_runs_past_the_margin[softmax_26_classes]",  # 8 s
    "tests/pipeline/test_margins.py::test_no_line_runs_past_the_margin[softmax_cifar10]",  # 5 s
    "tests/pipeline/test_margins.py::test_no_line_runs_past_the_margin[training_log_overfit]",  # 5 s
    "tests/pipeline/test_names_build.py::test_every_valid_id_and_name_builds_every_pdf",  # 25 s
    "tests/pipeline/test_output_safety.py::test_regression_concurrent_derives",  # 35 s
    "tests/pipeline/test_pipeline.py::test_derive_di504_writes_verified_key",  # 7 s
    "tests/pipeline/test_sheet.py::test_no_docs_example_sheet_shows_an_answer[docs/kinds/graph.md#1]",  # 5 s
    "tests/pipeline/test_sheet.py::test_no_docs_example_sheet_shows_an_answer[docs/kinds/graph.md#2]",  # 5 s
    "tests/pipeline/test_sheet.py::test_no_docs_example_sheet_shows_an_answer[docs/kinds/graph.md#3]",  # 5 s
    "tests/pipeline/test_sheet.py::test_the_di504_sheet_shows_no_answer",  # 5 s
    "tests/pipeline/test_tex_safety.py::test_any_accepted_name_typesets_in_the_graph",  # 20 s
    "tests/pipeline/test_tex_safety.py::test_matmul300_graph_derives_with_its_pdf",  # 11 s
    "tests/pipeline/test_tex_safety.py::test_subscripted_names_typeset_in_the_graph[names0]",  # 5 s
    "tests/pipeline/test_tex_safety.py::test_text_of_200k_characters_builds_on_short_lines",  # 5 s
    "tests/pipeline/test_tex_safety.py::test_text_prints_as_written_in_the_pdf",  # 5 s
    "tests/pipeline/test_variants.py::test_200_variants_differ_and_show_no_pattern",  # 16 s
    "tests/pipeline/test_variants.py::test_same_seed_gives_byte_identical_output_and_the_hash_is_printed_on_each_key",  # 15 s
    "tests/pipeline/test_variants.py::test_variants_export_is_the_export_of_the_same_variants_byte_for_byte",  # 11 s
    "tests/pipeline/test_variants_di504.py::test_di504_draws_are_as_hard_as_the_original",  # 7 s
    "tests/pipeline/test_variants_di504.py::test_di504_variants_from_the_embedded_spec",  # 7 s
    "tests/unit/test_latex_depth.py::test_sigma_nested_1000_deep_derives_against_an_mpmath_loop",  # 25 s
)

MARKERS = {"tex": TEX, "browser": BROWSER, "slow": SLOW}
NEEDS_TEX = re.compile(r"latexmk|pdflatex|\bTeX\b")


def _where(item):
    """(module path from the repository, test name without parameters), as the lists write them."""
    module, _, rest = item.nodeid.partition("::")
    return module, rest.split("[", 1)[0]


def pytest_collection_modifyitems(session, config, items):
    used = set()
    modules = set()
    for item in items:
        module, name = _where(item)
        modules.add(module)
        for marker, entries in MARKERS.items():
            for entry in (module, f"{module}::{name}", item.nodeid):
                if entry in entries:
                    item.add_marker(marker)
                    used.add(entry)
        if any(NEEDS_TEX.search(str(mark.kwargs.get("reason", ""))) for mark in item.iter_markers("skipif")):
            item.add_marker("tex")
    # every entry of a collected module must match a test (a module given whole must itself be collected);
    # not when tests were picked by id (path::test), which collects only some of a module's tests
    picked = any("::" in str(arg) for arg in config.args)
    stale = [e for entries in MARKERS.values() for e in entries
             if e.partition("::")[0] in modules and e not in used and not picked]
    if stale:
        raise pytest.UsageError("tests/conftest.py marks tests that do not exist: " + ", ".join(stale))


def pytest_runtest_setup(item):
    if item.get_closest_marker("browser") is not None and find_browser() is None:
        pytest.skip(NO_BROWSER)


try:                     # no test's time depends on the machine's load: no per-example deadline
    from hypothesis import HealthCheck, settings

    settings.register_profile("symdl", deadline=None, suppress_health_check=[HealthCheck.too_slow])
    settings.load_profile("symdl")
except ImportError:      # hypothesis is in the [test] extra; the tests that use it import it themselves
    pass


# --cpu-report FILE: each test's CPU seconds (setup, call and teardown: its own process_time and
# the CPU of the subprocesses it waited for, latexmk or Chromium), each file's total, each
# worker's total, and the estimated wall time on an idle machine with as many cores as workers
# (the files placed in collection order on the worker that frees first, as --dist loadfile does).
# CPU time, unlike wall time, does not depend on what else the machine runs.
def pytest_addoption(parser):
    parser.addoption("--cpu-report", metavar="FILE", default=None,
                     help="write each test's and each file's CPU seconds to FILE (JSON)")


def _cpu_now():
    import resource
    import time
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    report = (yield).get_result()
    if item.config.getoption("--cpu-report"):
        start = item.stash.get(_CPU_START, None)
        now = _cpu_now()
        report.user_properties.append(("cpu", now - start if start is not None else 0.0))
    item.stash[_CPU_START] = _cpu_now()  # the next phase starts here (the report's own cost is its)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    item.stash[_CPU_START] = _cpu_now()
    yield


def pytest_runtest_logreport(report):
    cpu = dict(report.user_properties).get("cpu")
    if cpu is not None:          # on the controller, the workers' reports arrive here too
        _CPU_TESTS[report.nodeid] = _CPU_TESTS.get(report.nodeid, 0.0) + cpu


def pytest_sessionfinish(session):
    if hasattr(session.config, "workeroutput"):   # an xdist worker: its whole CPU, collection included
        session.config.workeroutput["cpu_total"] = _cpu_now()
        return
    path = session.config.getoption("--cpu-report")
    if path:
        import cpureport
        cpureport.write(path, _CPU_TESTS, _CPU_WORKERS or {"main": _cpu_now()},
                        sorted(_CPU_TESTS))


@pytest.hookimpl(optionalhook=True)     # an xdist hook: the controller hears a worker finish
def pytest_testnodedown(node, error):
    if getattr(node, "workeroutput", None) and "cpu_total" in node.workeroutput:
        _CPU_WORKERS[node.gateway.id] = node.workeroutput["cpu_total"]


_CPU_START = pytest.StashKey[float]()
_CPU_TESTS = {}
_CPU_WORKERS = {}

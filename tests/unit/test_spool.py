"""The LMS export's spool: parts kept on disk under their keys, read back per key in first-seen order."""

from __future__ import annotations

import io

from symdl.export.spool import Spool


def test_texts_come_back_per_key_in_first_seen_order_and_the_scratch_folder_goes():
    with Spool() as spool:
        for variant in ("1", "2", "3"):                  # three variants, each adding to the keys b, a, c
            for key in ("b", "a", "c"):
                spool.add(key, f"<{key}{variant}>\u00e9", info=f"first {key}")
        assert list(spool.keys) == ["b", "a", "c"] and spool.info("a") == "first a"
        out = io.BytesIO()
        for key in spool.keys:
            spool.copy(key, out)
        assert out.getvalue().decode("utf-8") == "".join(f"<{k}{v}>\u00e9" for k in "bac" for v in "123")
        one = io.BytesIO()
        spool.copy("a", one, 1)                         # only the second text of a
        assert one.getvalue().decode("utf-8") == "<a2>\u00e9"
        assert list(spool.texts("c")) == [f"<c{v}>\u00e9" for v in "123"]      # as strings, one at a time
        folder = spool.folder
        assert folder.is_dir()
    assert not folder.exists()

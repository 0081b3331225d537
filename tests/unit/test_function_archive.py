"""What goes into a function's deployment archive."""

import pytest

from components.function import HANDLERS_DIR, archive_files


def test_archive_holds_the_package_and_nothing_else():
    # Given caches and tests lying beside the handler code
    cache = HANDLERS_DIR / "put_item" / "__pycache__"
    cache.mkdir(exist_ok=True)
    (cache / "stray.cpython-311.pyc").write_bytes(b"")

    files = archive_files("put_item")

    assert sorted(files) == ["put_item/__init__.py", "put_item/app.py", "put_item/items.py"]


def test_shared_packages_are_bundled_whole_beside_the_package():
    files = archive_files("find_applications", ["applications", "lambda_support"])

    assert {path.split("/")[0] for path in files} == {
        "find_applications",
        "applications",
        "lambda_support",
    }
    assert files["applications/model.py"] == HANDLERS_DIR / "applications" / "model.py"
    assert files["lambda_support/lazy.py"] == HANDLERS_DIR / "lambda_support" / "lazy.py"


def test_a_folder_that_is_not_a_package_is_an_error():
    with pytest.raises(FileNotFoundError, match="not a Python package"):
        archive_files("no_such_function")

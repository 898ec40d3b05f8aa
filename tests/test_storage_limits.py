"""Sizes in words that show the difference at a limit, a full disk told from other failures, and a folder's size."""

import errno
import os

from opencare.storage_limits import folder_bytes, human_size, is_disk_full, size_and_limit


def test_sizes_are_said_as_people_say_them():
    assert [human_size(n) for n in (999, 1000, 1500, 200_000_000, 1_500_000_000)] == [
        "999 bytes", "1 KB", "1.5 KB", "200 MB", "1.5 GB",
    ]  # fmt: skip


def test_a_size_just_over_a_limit_is_said_exactly_so_the_two_differ():
    assert size_and_limit(200_000_001, 200_000_000) == ("200,000,001 bytes", "200 MB (200,000,000 bytes)")
    assert size_and_limit(300_000_000, 200_000_000) == ("300 MB", "200 MB")


def test_only_no_space_and_quota_errors_count_as_a_full_disk():
    assert is_disk_full(OSError(errno.ENOSPC, "No space left on device"))
    assert is_disk_full(OSError(errno.EDQUOT, "Disk quota exceeded"))
    assert not is_disk_full(OSError(errno.EACCES, "Permission denied"))
    assert not is_disk_full(ValueError("no"))


def test_a_folders_size_counts_every_file_once_even_with_two_names(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "input").write_bytes(b"x" * 300)
    os.link(tmp_path / "a" / "input", tmp_path / "a" / "data.json")
    (tmp_path / "b.txt").write_bytes(b"y" * 20)

    assert folder_bytes(tmp_path) == 320
    assert folder_bytes(tmp_path / "missing") == 0

"""Files made to break rnnviz, and outputs that cannot be written: one plain line each.

Session files, lesson files and stream files may hold numbers too large to
read, name a named pipe or a device, start with a byte-order mark or carry a
huge parameter log; outputs may meet a full disk, a read-only folder, a
symbolic link or the part files of a killed process. In every case the user
gets one line and nothing changes.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest

from rnnviz.cli import main
from rnnviz.engine.errors import InputError
from rnnviz.engine.learner import LearnerParams
from rnnviz.io import lessons as lessons_module
from rnnviz.io import sessionfile
from rnnviz.io.export import save_trace_csv, write_atomically
from rnnviz.io.lessons import load_lessons
from rnnviz.resources import lessons_dir
from rnnviz.session import Session

needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
needs_dev = pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero here")

#: Long enough for any honest read on a loaded machine; only code that waits
#: on a pipe for ever reaches it (see :func:`released_after`).
PIPE_GUARD_S = 30.0


def session_text(**changes) -> str:
    """The text of a valid session file (a run part-way through 1^10 0^10), then *changes*."""
    session = Session("1^10 0^10", LearnerParams(eta=5.0))
    session.step(4)
    session.set_params(eta=2.0)
    session.step(3)
    data = sessionfile.session_to_json(session, sequence="1^10 0^10")
    data.update(changes)
    return json.dumps(data, indent=1)


def with_number(text: str, field: str, digits: str) -> str:
    """*text* with the first ``"field": value`` replaced by the bare number *digits*."""
    start = text.index(f'"{field}": ') + len(f'"{field}": ')
    end = start
    while text[end] not in ",\n}]":
        end += 1
    return text[:start] + digits + text[end:]


def one_line(message: str) -> str:
    assert message and "\n" not in message and len(message) < 200, message
    return message


@contextmanager
def released_after(fifo: Path) -> Iterator[None]:
    """Run the block, which must not wait on the named pipe *fifo*.

    Code that would wait for ever is released after :data:`PIPE_GUARD_S`
    (the other end is opened and closed at once, so a waiting reader reads
    an empty file and a waiting writer gets on), and the test fails instead
    of hanging.
    """
    released = threading.Event()

    def release() -> None:
        released.set()
        # A reader waits for a writer, a writer for a reader: be each once.
        for flags in (os.O_WRONLY | os.O_NONBLOCK, os.O_RDONLY | os.O_NONBLOCK):
            try:
                os.close(os.open(fifo, flags))
            except OSError:
                pass  # nobody was waiting for that end

    timer = threading.Timer(PIPE_GUARD_S, release)
    timer.start()
    try:
        yield
    finally:
        timer.cancel()
        timer.join()
    assert not released.is_set(), f"waited on the named pipe {fifo.name} until it was released"


# -- 1. numbers too large to read ------------------------------------------------------
@pytest.mark.parametrize(
    ("field", "digits"),
    [("eta", "9" * 401), ("gain", "1" + "0" * 400), ("h0", "-" + "7" * 401),
     ("cursor", "3" * 4301), ("version", "1" * 5000), ("speed", "2" * 400), ("tick", "5" * 4400)],
)
def test_a_huge_whole_number_in_a_session_file_is_refused_in_one_line(tmp_path, field, digits):
    path = tmp_path / "huge.rnnviz.json"
    path.write_text(with_number(session_text(), field, digits), encoding="utf-8")
    with pytest.raises(InputError) as refused:
        sessionfile.load(path)
    message = one_line(str(refused.value))
    assert f"{len(digits.lstrip('-')):,} digits" in message


def test_a_huge_weight_in_init_is_refused_in_one_line():
    data = json.loads(session_text())
    data["params"]["init"][1] = -(8 * 10**400)
    with pytest.raises(InputError) as refused:
        sessionfile.loads(json.dumps(data))
    assert "401 digits" in one_line(str(refused.value))


def test_a_whole_number_beyond_the_largest_float_names_its_field():
    # Parsed JSON from elsewhere (a lesson tool, a test) reaches params_from_json directly.
    with pytest.raises(InputError, match=r"'params\.gain' is far too large a number"):
        sessionfile.params_from_json({"gain": 10**400}, "params", partial=True)
    with pytest.raises(InputError, match=r"'params\.init\[2\]' is far too large"):
        sessionfile.params_from_json({"init": [0, 0, -(10**309)]}, "params", partial=True)


def test_numbers_a_session_really_holds_still_read(tmp_path):
    """The digit limit refuses nothing a saved session can contain."""
    session = Session("random(20000, 0.5, seed=3)", LearnerParams(eta=1e-3, init=(1e-300, -3.5, 7)))
    session.seek(session.n_ticks)
    path = sessionfile.save(tmp_path / "long.rnnviz.json", session)
    loaded = sessionfile.load(path).session
    assert loaded.cursor == session.cursor == 19_999
    np.testing.assert_array_equal(loaded.history["ho"], session.history["ho"])


def test_gui_with_a_huge_number_in_the_session_file_says_so_in_one_line(tmp_path):
    path = tmp_path / "lecture.rnnviz.json"
    path.write_text(with_number(session_text(), "cursor", "4" * 4400), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    result = subprocess.run([sys.executable, "-m", "rnnviz", "gui", str(path)], capture_output=True,
                            text=True, timeout=120, stdin=subprocess.DEVNULL, env=env)
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith(f"rnnviz: cannot open {path}: a number in the file has 4,400 digits")
    assert len(result.stderr.splitlines()) == 1 and "internal error" not in result.stderr


def lesson_folder(tmp_path: Path, bad_name: str, bad_text: str | None) -> Path:
    """The shipped lessons copied to a folder, plus *bad_name* holding *bad_text* (None: a pipe)."""
    folder = tmp_path / "lessons"
    shutil.copytree(lessons_dir(), folder)
    if bad_text is None:
        os.mkfifo(folder / bad_name)
    else:
        (folder / bad_name).write_text(bad_text, encoding="utf-8")
    return folder


def huge_lesson() -> str:
    lesson = json.loads((lessons_dir() / "01-streak-of-ones.json").read_text(encoding="utf-8"))
    lesson["params"] = {"eta": 5}
    return json.dumps(lesson).replace('"eta": 5', '"eta": ' + "9" * 401)


def test_a_lesson_with_a_huge_number_is_skipped_with_one_line(tmp_path):
    shipped, _ = load_lessons()
    folder = lesson_folder(tmp_path, "07-huge.json", huge_lesson())
    lessons, problems = load_lessons(folder)
    assert [lesson.key for lesson in lessons] == [lesson.key for lesson in shipped]
    assert [problem.name for problem in problems] == ["07-huge.json"]
    assert "401 digits" in one_line(str(problems[0]))


def test_the_window_is_built_with_a_bad_lesson_and_names_it_in_the_menu(qtbot, tmp_path, monkeypatch):
    from windows import make_window

    folder = lesson_folder(tmp_path, "07-huge.json", huge_lesson())
    monkeypatch.setattr(lessons_module, "lessons_dir", lambda: folder)
    window = make_window(qtbot)
    entries = [a for a in window.menus["lessons"].actions() if not a.isSeparator()]
    shipped, _ = load_lessons()
    assert [a.text() for a in entries[: len(shipped)]] == [
        f"&{n}  {lesson.title}" for n, lesson in enumerate(shipped, 1)
    ]
    skipped = entries[len(shipped)]
    assert skipped.text().startswith("07-huge.json: ") and "401 digits" in skipped.text()
    assert not skipped.isEnabled()
    assert window.session_files.open_lesson(2)  # the good ones still open


# -- 2. named pipes and devices -----------------------------------------------------------
@needs_fifo
def test_a_session_path_that_is_a_named_pipe_is_refused_without_waiting(tmp_path):
    fifo = tmp_path / "pipe.rnnviz.json"
    os.mkfifo(fifo)
    with released_after(fifo), pytest.raises(InputError) as refused:
        sessionfile.load(fifo)
    assert one_line(str(refused.value)) == "that is a named pipe (FIFO), not a file"


@needs_dev
def test_a_session_path_linked_to_a_device_is_refused_unread(tmp_path):
    link = tmp_path / "zero.rnnviz.json"
    link.symlink_to("/dev/zero")
    with pytest.raises(InputError) as refused:
        sessionfile.load(link)
    assert one_line(str(refused.value)) == "that is a device, not a file"


@needs_fifo
def test_file_open_of_a_named_pipe_warns_and_keeps_the_session(qtbot, tmp_path):
    from windows import make_window

    window = make_window(qtbot)
    controller = window.session_files
    warnings: list[str] = []
    controller.warn = warnings.append
    before = window.adapter.session
    fifo = tmp_path / "pipe.rnnviz.json"
    os.mkfifo(fifo)
    with released_after(fifo):
        assert not controller.open(fifo)
    assert warnings == ["pipe.rnnviz.json was not opened: that is a named pipe (FIFO), not a file"]
    assert window.adapter.session is before


@needs_fifo
def test_gui_on_a_named_pipe_says_so_in_one_line(tmp_path):
    fifo = tmp_path / "lecture.rnnviz.json"
    os.mkfifo(fifo)
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    with released_after(fifo):
        result = subprocess.run([sys.executable, "-m", "rnnviz", "gui", str(fifo)], capture_output=True,
                                text=True, timeout=120, stdin=subprocess.DEVNULL, env=env)
    assert result.returncode == 2
    assert result.stderr == f"rnnviz: cannot open {fifo}: that is a named pipe (FIFO), not a file\n"


@needs_fifo
def test_a_lesson_that_is_a_named_pipe_is_skipped(tmp_path):
    folder = lesson_folder(tmp_path, "07-pipe.json", None)
    with released_after(folder / "07-pipe.json"):
        lessons, problems = load_lessons(folder)
    assert len(lessons) == len(load_lessons()[0])
    assert [str(problem) for problem in problems] == ["07-pipe.json: a named pipe (FIFO), not a file"]


@needs_fifo
def test_a_stream_file_that_is_a_named_pipe_is_refused_and_stdin_is_named(tmp_path, capsys):
    fifo = tmp_path / "stream.txt"
    os.mkfifo(fifo)
    with released_after(fifo):
        status = main(["trace", "--file", str(fifo)])
    captured = capsys.readouterr()
    assert (status, captured.out) == (2, "")
    assert captured.err == (f"rnnviz: {fifo} is a named pipe (FIFO), not a file; to read a stream "
                            "from a pipe, use --file - (standard input)\n")


@needs_dev
def test_a_stream_file_linked_to_a_device_is_refused_unread(tmp_path, capsys):
    link = tmp_path / "stream.txt"
    link.symlink_to("/dev/zero")
    assert main(["trace", "--file", str(link)]) == 2
    assert capsys.readouterr().err == f"rnnviz: {link} is a device, not a file\n"


@needs_fifo
def test_a_named_pipe_in_place_of_the_error_log_does_not_hang_the_report():
    from rnnviz import errorlog

    path = errorlog.log_path()
    path.parent.mkdir(parents=True)
    os.mkfifo(path)
    with released_after(path):
        assert errorlog.append("rnnviz could not start: a test") is None
    assert path.is_fifo()


# -- 3. a byte-order mark, and a parameter log too long to replay ---------------------------
def test_a_session_file_with_a_utf8_byte_order_mark_opens_as_without(tmp_path):
    plain, marked = tmp_path / "plain.rnnviz.json", tmp_path / "marked.rnnviz.json"
    plain.write_text(session_text(), encoding="utf-8")
    marked.write_bytes(b"\xef\xbb\xbf" + plain.read_bytes())
    a, b = sessionfile.load(plain), sessionfile.load(marked)
    assert (b.sequence, b.session.cursor, b.session.param_log) == (a.sequence, a.session.cursor, a.session.param_log)
    np.testing.assert_array_equal(b.session.history["ho"], a.session.history["ho"])


def test_a_session_file_in_utf16_with_a_byte_order_mark_opens(tmp_path):
    """PowerShell's Out-File writes UTF-16 with a mark; the stream files already read it."""
    path = tmp_path / "powershell.rnnviz.json"
    path.write_bytes(session_text().encode("utf-16"))
    assert sessionfile.load(path).session.cursor == 7


def test_a_bad_byte_after_a_byte_order_mark_is_counted_from_the_start_of_the_file(tmp_path):
    path = tmp_path / "bad.rnnviz.json"
    path.write_bytes(b"\xef\xbb\xbf{\xff}")
    with pytest.raises(InputError, match=r"byte 5 is not UTF-8"):
        sessionfile.load(path)


def test_a_lesson_with_a_byte_order_mark_loads(tmp_path):
    folder = tmp_path / "lessons"
    folder.mkdir()
    source = lessons_dir() / "01-streak-of-ones.json"
    (folder / source.name).write_bytes(b"\xef\xbb\xbf" + source.read_bytes())
    lessons, problems = load_lessons(folder)
    assert problems == [] and [lesson.key for lesson in lessons] == ["01-streak-of-ones"]


def long_log(entries: int, *, last_eta: object) -> list[dict]:
    params = sessionfile.params_to_json(LearnerParams())
    log = [{"tick": tick, "params": {**params, "eta": 1.0 + tick % 3}} for tick in range(entries)]
    log[-1]["params"]["eta"] = last_eta
    return log


def test_a_parameter_log_over_the_limit_is_refused_before_any_entry_is_read():
    """The last entry is broken too: a check entry by entry would name it; the count comes first."""
    entries = sessionfile.MAX_PARAM_LOG + 1
    text = session_text(sequence=f"random({entries + 5}, 0.5, seed=1)",
                        param_log=long_log(entries, last_eta="fast"), cursor=0)
    with pytest.raises(InputError) as refused:
        sessionfile.loads(text)
    message = one_line(str(refused.value))
    assert f"{entries:,} entries" in message and f"at most {sessionfile.MAX_PARAM_LOG:,}" in message


def test_a_parameter_log_longer_than_the_stream_is_refused_before_any_entry_is_read():
    text = session_text(param_log=long_log(500, last_eta="fast"))  # 1^10 0^10: 19 ticks
    with pytest.raises(InputError) as refused:
        sessionfile.loads(text)
    assert "500 entries, more than the stream's 19 ticks allow" in one_line(str(refused.value))


def test_a_parameter_log_at_the_limit_still_opens():
    entries = 50
    text = session_text(sequence="random(60, 0.5, seed=1)", param_log=long_log(entries, last_eta=4.0),
                        cursor=55, params=sessionfile.params_to_json(LearnerParams(eta=4.0)))
    loaded = sessionfile.loads(text)
    assert len(loaded.session.param_log) == entries and loaded.session.cursor == 55


# -- 4. outputs that cannot be written ---------------------------------------------------------
@pytest.mark.parametrize(
    ("code", "words"),
    [(errno.ENOSPC, "no space left on the device"), (errno.EACCES, "permission denied"),
     (errno.EROFS, "the device is read-only"), (errno.EFBIG, "the file is larger than this system allows")],
)
def test_failed_writes_are_told_in_plain_words(tmp_path, code, words):
    from rnnviz.io.export import describe_os_error

    target = tmp_path / "trace.csv"

    def fail(temporary: Path) -> None:
        temporary.write_text("half")
        raise OSError(code, os.strerror(code), str(temporary))

    with pytest.raises(InputError) as refused:
        write_atomically(target, fail)
    assert str(refused.value) == f"cannot write {target}: {words}"
    assert describe_os_error(OSError(code, os.strerror(code))) == words
    assert list(tmp_path.iterdir()) == []


def test_an_error_without_a_number_is_told_in_its_own_words():
    from rnnviz.io.export import describe_os_error

    assert describe_os_error(OSError("PNG encoder missing")) == "PNG encoder missing"
    assert describe_os_error(OSError(errno.EBADF, "Bad file descriptor")) == "bad file descriptor"


needs_dev_full = pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full here")


@needs_dev_full
@pytest.mark.parametrize(
    "options",
    [["--format", "csv"], ["--notation"], ["--format", "json"], ["--summary"], []],
    ids=["csv", "notation", "json", "summary", "table"],
)
def test_trace_to_a_full_device_is_one_line_and_status_2(options):
    # 5,000 ticks print 32 KB (summary, notation) to 1.4 MB (json): in every
    # format the write fails in the middle of the output, not at the last flush.
    with open("/dev/full", "w") as full:
        result = subprocess.run(
            [sys.executable, "-m", "rnnviz", "trace", "random(5000, 0.5, seed=2)", *options],
            stdout=full, stderr=subprocess.PIPE, text=True, timeout=120, stdin=subprocess.DEVNULL,
        )
    assert result.returncode == 2
    # Nothing after the line: no "Exception ignored" from the interpreter's last flush.
    assert result.stderr == "rnnviz: no space left on the device while writing standard output\n"


def test_trace_into_a_closed_pipe_still_ends_quietly():
    # 20,000 ticks are 3.5 MB of CSV, fifty times what a pipe holds: the
    # writer is still writing when the reader goes away.
    reader = subprocess.Popen(
        [sys.executable, "-m", "rnnviz", "trace", "random(20000, 0.5, seed=2)", "--format", "csv"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
    )
    assert reader.stdout.readline().startswith(b"t,x,target")
    reader.stdout.close()  # as `| head -1` does
    stderr = reader.stderr.read()
    reader.stderr.close()
    assert reader.wait(timeout=120) == 0 and stderr == b""


def screenshot_command(out: Path) -> list[str]:
    return [sys.executable, "-m", "rnnviz", "screenshot", str(out), "1^6", "--size", "800x600"]


def quiet_env(tmp_path: Path) -> dict[str, str]:
    """An environment whose caches stay in *tmp_path*, and no bytecode written.

    Under a file-size limit, Python would leave truncated ``.pyc`` files in
    the source tree for every later run to trip over.
    """
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1", QT_QPA_PLATFORM="offscreen",
               HOME=str(tmp_path / "home"), XDG_CACHE_HOME=str(tmp_path / "cache"))
    return env


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="file-size limits as on Linux")
def test_a_screenshot_that_does_not_fit_is_one_line_and_no_file(tmp_path):
    import resource
    import signal

    folder = tmp_path / "shots"
    folder.mkdir()

    def small_files() -> None:  # a disk that takes 20 kB per file, like a nearly full one
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (20_000, 20_000))

    result = subprocess.run(screenshot_command(folder / "shot.png"), capture_output=True, text=True,
                            timeout=120, stdin=subprocess.DEVNULL, env=quiet_env(tmp_path),
                            preexec_fn=small_files)
    assert result.returncode == 2 and result.stdout == ""
    # Only rnnviz's line: libpng says nothing, since the PNG is encoded in memory.
    assert result.stderr == (f"rnnviz: cannot write {folder / 'shot.png'}: "
                             "the file is larger than this system allows\n")
    assert list(folder.iterdir()) == []


def read_only_folder(tmp_path: Path) -> Path:
    """A folder this process may not write in: a read-only one, or /sys for root (who may write anywhere)."""
    folder = tmp_path / "read-only"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        (folder / "probe").touch()
    except PermissionError:
        return folder
    (folder / "probe").unlink()
    sysfs = Path("/sys")
    try:
        (sysfs / ".rnnviz-probe").touch()
    except PermissionError:
        return sysfs
    except OSError:
        pass
    pytest.skip("no folder here refuses this user's writes")


def test_a_screenshot_into_a_read_only_folder_says_permission_denied(qtbot, tmp_path):
    from rnnviz.ui.app import screenshot

    folder = read_only_folder(tmp_path)
    out = folder / "rnnviz-shot.png"
    with pytest.raises(InputError) as refused:
        screenshot(out, np.array([1, 1, 0, 1]), LearnerParams(), 2, (800, 600))
    assert str(refused.value) == f"cannot write {out}: permission denied"
    assert not out.exists()


def test_saving_into_a_read_only_folder_says_permission_denied(tmp_path):
    session = Session("1^5")
    session.step(3)
    out = read_only_folder(tmp_path) / "rnnviz-trace.csv"
    with pytest.raises(InputError, match=r"cannot write .*rnnviz-trace\.csv: permission denied$"):
        save_trace_csv(out, session.history, 3)


def test_the_part_file_of_a_killed_save_is_removed_by_the_next_save_there(tmp_path):
    """kill -9 while writing leaves ``.<name>.<pid>.rnnviz-part``; the next write into the folder removes it."""
    target = tmp_path / "lecture.rnnviz.json"
    sessionfile.save(target, Session("1^5"))
    before = target.read_bytes()
    writer = subprocess.Popen(
        [sys.executable, "-c",
         "import sys\n"
         "from rnnviz.io.export import write_atomically\n"
         "def write(temporary):\n"
         "    temporary.write_text('half a session')\n"
         "    print('writing', flush=True)\n"
         "    sys.stdin.read()  # until killed\n"
         f"write_atomically({str(target)!r}, write)\n"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    assert writer.stdout.readline() == "writing\n"
    part = tmp_path / f".{target.name}.{writer.pid}.rnnviz-part"
    assert part.is_file()
    writer.kill()
    writer.wait(timeout=60)
    writer.stdin.close()
    writer.stdout.close()
    assert part.is_file() and target.read_bytes() == before  # what the kill left

    sessionfile.save(tmp_path / "other.rnnviz.json", Session("0^5"))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["lecture.rnnviz.json", "other.rnnviz.json"]


def dead_pid() -> int:
    """The id of a process that has ended."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait(timeout=60)
    return child.pid


def test_an_earlier_version_s_part_files_go_but_another_program_s_stay(tmp_path):
    pid = dead_pid()
    ours = tmp_path / f".lecture.rnnviz.json.{pid}.part"  # as rnnviz 0.1.0 named them
    theirs = tmp_path / f".thesis.tex.{pid}.part"  # a shape another program may use
    ours.write_text("half a session")
    theirs.write_text("someone else's work")
    save_trace_csv(tmp_path / "trace.csv", Session("1^3").history, 0)
    assert not ours.exists()
    assert theirs.read_text() == "someone else's work"


def test_a_running_process_part_file_is_left_alone(tmp_path):
    live = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()"], stdin=subprocess.PIPE)
    try:
        part = tmp_path / f".slides.png.{live.pid}.rnnviz-part"
        part.write_text("being written")
        mine = tmp_path / f".notes.csv.{os.getpid()}.rnnviz-part"
        mine.write_text("being written by this process")
        save_trace_csv(tmp_path / "trace.csv", Session("1^3").history, 0)
        assert part.read_text() == "being written" and mine.is_file()
    finally:
        live.stdin.close()
        live.wait(timeout=60)


def test_writing_to_a_symbolic_link_replaces_what_it_points_to_and_keeps_the_link(tmp_path):
    real_folder, link_folder = tmp_path / "dated", tmp_path / "current"
    real_folder.mkdir()
    link_folder.mkdir()
    real = real_folder / "trace.csv"
    real.write_text("old trace\n")
    link = link_folder / "latest.csv"
    link.symlink_to(real)
    session = Session("1^10 0^10")
    session.seek(8)
    assert save_trace_csv(link, session.history, 8) == link
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert real.read_text().splitlines()[0].startswith("t,x,target") and len(real.read_text().splitlines()) == 9
    assert sorted(p.name for p in real_folder.iterdir()) == ["trace.csv"]
    assert sorted(p.name for p in link_folder.iterdir()) == ["latest.csv"]


def test_a_session_saved_through_a_symbolic_link_reopens_through_it(tmp_path):
    real = tmp_path / "talks" / "week1.rnnviz.json"
    real.parent.mkdir()
    sessionfile.save(real, Session("1^5"))
    link = tmp_path / "this-week.rnnviz.json"
    link.symlink_to(real)
    session = Session("(10)^6")
    session.step(4)
    sessionfile.save(link, session, sequence="(10)^6")
    assert link.is_symlink() and sessionfile.load(real).session.cursor == 4
    assert sessionfile.load(link).sequence == "(10)^6"


@needs_dev
def test_a_link_to_a_device_is_refused_not_replaced(tmp_path):
    link = tmp_path / "trace.csv"
    link.symlink_to("/dev/null")
    with pytest.raises(InputError, match=r"cannot write .*trace\.csv: it is a device, not a file"):
        save_trace_csv(link, Session("1^3").history, 0)
    assert link.is_symlink() and Path("/dev/null").is_char_device()


# -- 5. the size a picture may have -------------------------------------------------------------
@pytest.mark.parametrize("size", ["10x10", "500x400", "320x240"])
def test_a_size_too_small_names_the_windows_real_minimum(qtbot, tmp_path, capsys, size):
    from rnnviz.ui.adapter import SessionAdapter
    from rnnviz.ui.mainwindow import MainWindow

    window = MainWindow(SessionAdapter(Session("1^5")), settings=None, restore_settings=False)
    qtbot.addWidget(window)
    smallest = window.minimumSizeHint()
    out = tmp_path / "shot.png"
    assert main(["screenshot", str(out), "1^5", "--size", size]) == 2
    err = capsys.readouterr().err
    assert err == (f"rnnviz: --size {size} is smaller than the window can be laid out in: it is "
                   f"outside {smallest.width()}x{smallest.height()} … 7680x4320\n")
    assert not out.exists()


def test_a_size_too_large_is_refused_with_the_same_range(qtbot, tmp_path, capsys):
    out = tmp_path / "shot.png"
    assert main(["screenshot", str(out), "1^5", "--size", "7681x4320"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("rnnviz: --size 7681x4320 is larger than rnnviz renders: it is outside ")
    assert err.endswith(" … 7680x4320\n") and not out.exists()

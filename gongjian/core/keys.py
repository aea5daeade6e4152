"""Secrets that are not secret: production refuses a key that appears in the repository.

The demo's SECRET_KEY and PII key are public on purpose, and a key pasted into an example file,
a test or the documentation is public too. ``public_key_problem`` is called by the settings in
production, so the server does not start with such a key (``check --deploy`` cannot pass
either). The scan reads the text files of the source tree once per process start: a few hundred
files, well under a second.
"""

from __future__ import annotations

from pathlib import Path

# Keys this code base publishes itself, whether or not its source tree is on the server.
PUBLIC_SECRET_KEYS = frozenset({"gongjian-demo-and-test-only-not-a-secret-0123456789"})
PUBLIC_PII_KEYS = frozenset({"e3Arz_athB2-IY1eD_xjKap7w8UaF8NgFR3zbsJ9pgY="})

_SKIP_DIRS = {".git", ".venv", "venv", "var", "node_modules", "__pycache__", ".mypy_cache"}
_TEXT_SUFFIXES = {
    ".py",
    ".md",
    ".txt",
    ".toml",
    ".cfg",
    ".ini",
    ".sh",
    ".env",
    ".example",
    ".service",
    ".timer",
    ".conf",
    ".yml",
    ".yaml",
    ".json",
    ".html",
    ".po",
}
_MAX_BYTES = 2 * 1024 * 1024


def _text_files(root: Path):
    for path in root.iterdir():
        if path.is_dir():
            if path.name not in _SKIP_DIRS and not path.is_symlink():
                yield from _text_files(path)
        elif (path.suffix in _TEXT_SUFFIXES or path.name.startswith(".env")) and (
            path.stat().st_size <= _MAX_BYTES
        ):
            yield path


def found_in_tree(secret: str, root: Path) -> Path | None:
    """The first text file under ``root`` that contains ``secret``, or None."""
    needle = secret.encode()
    for path in _text_files(root):
        try:
            if needle in path.read_bytes():
                return path
        except OSError:
            continue
    return None


def public_key_problem(name: str, secret: str, *, known: frozenset[str], root: Path) -> str | None:
    """Why ``secret`` must not be used in production, or None."""
    if not secret:
        return None
    where = "the code" if secret in known else found_in_tree(secret, root)
    if where is None:
        return None
    return (
        f"{name} appears in the repository ({where}); generate a new one (README: 密钥) / "
        f"{name} 已公开在代码库中，请重新生成"
    )

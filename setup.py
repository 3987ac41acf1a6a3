"""A build step: the wheel carries the repository's data folders inside the `app` package.

Metadata lives in pyproject.toml. `migrations/`, `permissions/` and `schema/` stay at the top
of the repository; building copies them to `app/_bundled/`, where `app/bundled.py` finds them
in an installed gateway. An editable install reads them from the checkout instead.
"""

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

BUNDLED = ("migrations", "permissions", "schema")
SKIP = ("__pycache__", "*.pyc")


class BuildWithData(build_py):
    def run(self) -> None:
        super().run()
        if self.editable_mode:
            return
        for name in BUNDLED:
            self._copy_folder(Path(name), Path(self.build_lib) / "app" / "_bundled" / name)

    def _copy_folder(self, source: Path, target: Path) -> None:
        for path in sorted(source.rglob("*")):
            if path.is_file() and not any(path.match(p) or p in path.parts for p in SKIP):
                destination = target / path.relative_to(source)
                self.mkpath(str(destination.parent))
                self.copy_file(str(path), str(destination))


setup(cmdclass={"build_py": BuildWithData})

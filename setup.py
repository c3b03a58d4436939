"""Builds crv_io's native module with the project's CMake build for pip.

The version is the CMake project's. CMAKE_ARGS (split on spaces) adds configure options,
e.g. CMAKE_ARGS="-DCMAKE_CXX_COMPILER_LAUNCHER=ccache"; CRV_IO_CMAKE_BUILD_DIR names a CMake build
folder already configured with the Python package (as the README's build is): its module is
built there as configured, rather than in a fresh folder.
"""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

SOURCE_DIR = Path(__file__).resolve().parent


def project_version() -> str:
    cmake_lists = (SOURCE_DIR / "CMakeLists.txt").read_text()
    match = re.search(r"project\(crv_io VERSION ([0-9.]+)", cmake_lists)
    if match is None:
        raise RuntimeError("CMakeLists.txt does not declare project(crv_io VERSION ...)")
    return match.group(1)


class CMakeBuild(build_ext):
    def build_extension(self, ext: Extension) -> None:
        existing = os.environ.get("CRV_IO_CMAKE_BUILD_DIR")
        build_dir = Path(existing) if existing else Path(self.build_temp).resolve() / "cmake"
        if not existing:
            self.configure(build_dir)
        subprocess.run(
            ["cmake", "--build", str(build_dir), "--target", "crv_io_python", "-j", str(os.cpu_count() or 1)],
            check=True,
        )
        built = next((build_dir / "python" / "crv_io").glob("_crv_io*.so"))
        target = Path(self.get_ext_fullpath(ext.name))
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(built, target)

    @staticmethod
    def configure(build_dir: Path) -> None:
        configure = [
            "cmake",
            "-S",
            str(SOURCE_DIR),
            "-B",
            str(build_dir),
            "-DCMAKE_BUILD_TYPE=Release",
            "-DCRV_BUILD_PYTHON=ON",
            f"-DPython_EXECUTABLE={sys.executable}",
            "-DCRV_BUILD_TESTS=OFF",
            "-DCRV_BUILD_BENCH=OFF",
            "-DCRV_BUILD_EXAMPLES=OFF",
        ]
        if shutil.which("ninja"):
            configure += ["-G", "Ninja"]
        configure += os.environ.get("CMAKE_ARGS", "").split()
        subprocess.run(configure, check=True)


setup(
    version=project_version(),
    packages=["crv_io"],
    package_dir={"": "python"},
    package_data={"crv_io": ["*.pyi", "py.typed"]},
    ext_modules=[Extension("crv_io._crv_io", sources=[])],
    cmdclass={"build_ext": CMakeBuild},
    options={"build": {"build_base": "build/setuptools"}, "egg_info": {"egg_base": "build"}},
    zip_safe=False,
)

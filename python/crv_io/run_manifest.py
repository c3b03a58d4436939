"""The run bundle under the reference's module name (crv.io.run_manifest)."""

from ._crv_io import write_run_bundle_manifest

__all__ = ["write_run_bundle_manifest"]

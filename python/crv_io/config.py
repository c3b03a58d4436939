"""IoSettings under the reference's module name (crv.io.config)."""

from ._crv_io import IoSettings

__all__ = ["IoSettings"]

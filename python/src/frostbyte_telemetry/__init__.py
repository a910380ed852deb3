"""Frostbyte Model Observatory middleware for Python: wrap model calls, ship their events.

    from frostbyte_telemetry import init_telemetry, with_context, wrap_model

    @wrap_model(model_name="docling", model_version="2.1.0", stage="parse", operation="parse")
    def parse(path): ...

    init_telemetry()  # FMO_ENDPOINT, FMO_API_KEY, FMO_SPOOL_DIR, FMO_TELEMETRY=0
    with with_context(tenant_id="acme", document_id="doc-1"):
        parse("doc-1.pdf")
"""

from .api import NOOP_TELEMETRY, NoopTelemetry, get_telemetry, init_telemetry, observe, shutdown_telemetry, wrap_model
from .context import TelemetryContext, bind_context, current_context, with_context
from .exporter import EventExporter, ExportResult, MemoryExporter
from .http_exporter import HttpExporter
from .ids import uuid7
from .invocation import ModelMeta
from .redaction import fallback_redact
from .telemetry import TelemetrySdk

__version__ = "0.1.0"

__all__ = [
    "EventExporter",
    "ExportResult",
    "HttpExporter",
    "MemoryExporter",
    "ModelMeta",
    "NOOP_TELEMETRY",
    "NoopTelemetry",
    "TelemetryContext",
    "TelemetrySdk",
    "bind_context",
    "current_context",
    "fallback_redact",
    "get_telemetry",
    "init_telemetry",
    "observe",
    "shutdown_telemetry",
    "uuid7",
    "with_context",
    "wrap_model",
]

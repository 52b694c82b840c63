"""The whole local stack in one process: embedded AWS (moto), provisioning, functions, workers and the API."""

from __future__ import annotations

import logging
import socket
import threading
import time
from pathlib import Path
from typing import Any

from local import (
    bus_schemas,
    moto_overhead,
    moto_profile,
    moto_queries,
    moto_replay,
    moto_transactions,
    settings,
)
from local.gateway import Gateway
from local.model import Stack
from local.provision import client_factory, provision
from local.runtime import Runtime
from local.template import ACCOUNT_ID, load_template, parameter_values, template_dir
from local.workers import Workers

log = logging.getLogger("local")


def configure_logging(level: int = logging.INFO) -> None:
    """Our lines on stderr; other libraries only warn (moto's web server would log every request it serves)."""
    logging.basicConfig(
        level=logging.WARNING, format="%(asctime)s.%(msecs)03d %(message)s", datefmt="%H:%M:%S"
    )
    logging.getLogger("local").setLevel(level)
    logging.getLogger("werkzeug").setLevel(logging.ERROR)


def ensure_port_free(host: str, port: int, what: str) -> None:
    # moto's server binds in a thread and would wait forever if the port were taken: check first.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            raise OSError(f"{what} port {host}:{port} is in use ({error.strerror})") from None


def start_moto(host: str, port: int) -> Any:
    """moto's server, started, serving one request at a time (moto is heavy: imported only when a stack starts).

    moto's backends are not safe under concurrent requests (a transaction reading items while another
    request changes them: "dictionary changed size during iteration", answered as a 500). The
    functions still run concurrently; only DynamoDB calls queue. Transactions are made to cost what
    they cost on DynamoDB, and to honour ClientRequestToken (local/moto_transactions.py); queries
    read their page, not the whole table (local/moto_queries.py, safe under this lock).
    """
    from moto.moto_server import werkzeug_app
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
    from moto.server import ThreadedMotoServer
    from werkzeug.serving import make_server

    class SerializedMotoServer(ThreadedMotoServer):
        def _server_entry(self) -> None:
            app = DomainDispatcherApplication(create_backend_app)
            one_at_a_time = threading.Lock()

            def serialized(environ: dict, start_response: Any) -> Any:
                name, asked = moto_profile.operation(environ), time.perf_counter()
                # Only DynamoDB needs it; other calls (SQS long polls above all) must not wait on it.
                if not environ.get("HTTP_X_AMZ_TARGET", "").startswith("DynamoDB"):
                    answer = app(environ, start_response)
                    moto_profile.record(name, time.perf_counter() - asked)
                    return answer
                with one_at_a_time:
                    turn = time.perf_counter()
                    answer = app(environ, start_response)
                moto_profile.record(name, time.perf_counter() - turn, turn - asked)
                return answer

            self._server = make_server(
                self._ip_address,
                self._port,
                serialized,
                True,
                request_handler=moto_overhead.keep_alive_handler(),
            )
            self._server_ready_event.set()
            self._server.serve_forever()

    # moto grants CORS to every origin by default, so any web page open while the stack runs could read
    # and change its data (the embedded AWS checks no credentials); nothing local is a browser page.
    werkzeug_app.DISABLE_GLOBAL_CORS = True
    moto_transactions.install()
    moto_queries.install()
    moto_replay.install()
    bus_schemas.install(lambda problem: log.error("%s%s", bus_schemas.VIOLATION, problem))
    moto_overhead.install()
    ensure_port_free(host, port, "AWS (moto)")
    server = SerializedMotoServer(ip_address=host, port=port, verbose=False)
    server.start()
    return server


class LocalStack:
    """Start and stop every part, in order; `/health` says 503 until all of it is up."""

    def __init__(
        self,
        *,
        aws_port: int | None = None,
        port: int | None = None,
        host: str = "127.0.0.1",
        template: Path | None = None,
        run_schedules: bool | None = None,
        extra_templates: list[Path] | None = None,
    ):
        self.host = host
        self.aws_port = settings.AWS_PORT if aws_port is None else aws_port
        self.port = settings.PORT if port is None else port
        self.template_path = template or settings.TEMPLATE
        self.run_schedules = settings.RUN_SCHEDULES if run_schedules is None else run_schedules
        self.aws_endpoint = f"http://{host}:{self.aws_port}"
        self.moto: Any = None
        self.gateway: Gateway | None = None
        self.runtime: Runtime | None = None
        self.workers: Workers | None = None
        self.stack: Stack | None = None
        self.extra_templates = settings.EXTRA_TEMPLATES if extra_templates is None else extra_templates
        self.extras: list[tuple[Stack, Runtime, Workers]] = []
        self.started_in = 0.0

    def start(self) -> None:
        started = time.perf_counter()
        template = load_template(self.template_path)
        ensure_port_free(self.host, self.port, "API")
        self.moto = start_moto(self.host, self.aws_port)
        self.gateway = Gateway(
            self.host,
            self.port,
            root=template_dir(template),
            aws_endpoint=self.aws_endpoint,
            account_id=ACCOUNT_ID,
            region=settings.REGION,
        )
        self.gateway.start()
        self.stack = provision(template, client_factory(self.aws_endpoint))
        self.runtime = Runtime(self.stack, self.aws_endpoint)
        self.workers = Workers(
            self.stack, self.runtime, client_factory(self.aws_endpoint), run_schedules=self.run_schedules
        )
        self.workers.start()
        for path in self.extra_templates:
            self.extras.append(self._deploy_extra(path))
        self.gateway.attach(self.stack, self.runtime, self.workers)
        self.gateway.ready = True
        self.started_in = time.perf_counter() - started
        log.info(
            "stack %s up in %.1f s: %d functions, %d routes, %d workers",
            self.stack.stack_name,
            self.started_in,
            len(self.stack.functions),
            len(self.gateway.routes.routes),
            len(self.workers.names()),
        )

    def _deploy_extra(self, path: Path) -> tuple[Stack, Runtime, Workers]:
        """Another application's stack on the same embedded AWS, as `sam deploy` of its template would make it:
        its rules on the product's bus (imported from the product's exports) deliver to its functions."""
        assert self.stack is not None
        template = load_template(path)
        declared = template.get("Parameters") or {}
        overrides = {"ProductStackName": self.stack.stack_name} if "ProductStackName" in declared else {}
        clients = client_factory(self.aws_endpoint)
        stack = provision(
            template,
            clients,
            parameters=parameter_values(template, overrides),
            stack_name=f"{self.stack.stack_name}-{path.resolve().parent.name}",
            imports=self.stack.exports(),
        )
        runtime = Runtime(stack, self.aws_endpoint)
        workers = Workers(stack, runtime, clients, run_schedules=self.run_schedules)
        workers.start()
        log.info("stack %s (%s) up: %d functions", stack.stack_name, path.name, len(stack.functions))
        return stack, runtime, workers

    def stop(self) -> None:
        if self.gateway:
            self.gateway.ready = False
            self.gateway.stop()
        for _, runtime, workers in self.extras:
            workers.stop()
            runtime.close()
        if self.workers:
            self.workers.stop()
        if self.runtime:
            self.runtime.close()
        if self.moto:
            self.moto.stop()

    @property
    def api_url(self) -> str:
        return f"http://{self.host}:{self.port}"

"""A fake Telegram Bot API on loopback for the chaos test: answers every method, logs every message sent with
the time the request reached it (read before anything else is done with the request), so duplicates, order and
rates can be checked afterwards."""

import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

SENDS = {"sendMessage", "sendPhoto", "sendDocument", "copyMessage", "forwardMessage"}


@dataclass
class FakeApi:
    """The log of sends (monotonic time, chat id, text) and the server."""

    sends: list[tuple[float, int, str]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _next_id: int = 1

    async def endpoint(self, request: Request) -> JSONResponse:
        received = time.monotonic()
        method = request.path_params["method"]
        form = await request.form() if "form" in request.headers.get("content-type", "") else {}
        params: dict[str, Any] = {}
        for key, value in form.items():
            try:
                params[key] = json.loads(str(value))
            except ValueError:
                params[key] = str(value)
        return JSONResponse({"ok": True, "result": self._answer(method, params, received)})

    def _answer(self, method: str, params: dict[str, Any], received: float) -> Any:
        if method == "getMe":
            return {"id": 1, "is_bot": True, "first_name": "Aspirasi", "username": "aspirasi_bot"}
        if method not in SENDS:
            return True
        chat_id = int(params.get("chat_id", 0))
        with self._lock:
            self.sends.append((received, chat_id, str(params.get("text", params.get("caption", "")))))
            self._next_id += 1
            message_id = self._next_id
        chat = {"id": chat_id, "type": "private" if chat_id > 0 else "supergroup", "first_name": "-"}
        return {"message_id": message_id, "date": int(time.time()), "chat": chat, "text": params.get("text", "")}

    def serve(self, port: int) -> uvicorn.Server:
        """Start the server in a thread; return it (set should_exit to stop)."""
        app = Starlette(routes=[Route("/bot{token}/{method}", self.endpoint, methods=["POST", "GET"])])
        server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
        threading.Thread(target=server.run, daemon=True).start()
        while not server.started:
            time.sleep(0.05)
        return server

"""pygls's language server protocol, with one leak stopped.

pygls 2.1 keeps the future of every handler it runs that is not a plain function in
`_request_futures`, and only the answer to a client's request removes one: a notification's
(its own didOpen/didChange handlers are generators) and each step a generator handler hands
to ours stay there forever, ~2 KB per keystroke. Only a request's future needs keeping
(the client may cancel it by its id); every other one is dropped once done, when the next
handler starts (not at once: pygls cancels futures while iterating over them at shutdown).
"""

from __future__ import annotations

from functools import partial

from pygls.protocol import LanguageServerProtocol


class Protocol(LanguageServerProtocol):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._finished: set = set()  # ids of done futures that no answer will remove

    def _execute_handler(self, msg_id, handler, callback, args=None, kwargs=None):
        while self._finished:
            self._request_futures.pop(self._finished.pop(), None)
        if getattr(callback, "func", callback) != self._send_handler_result:  # not the answer to a request
            callback = partial(self._done, callback, msg_id=msg_id)
        super()._execute_handler(msg_id, handler, callback, args, kwargs)

    def _done(self, callback, future, *, msg_id) -> None:
        self._finished.add(msg_id)
        callback(future)

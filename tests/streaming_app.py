"""A response that streams for longer than gunicorn's timeout, as a province's export does."""
import time

SECONDS = 4


def app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/csv")])

    def rows():
        for n in range(SECONDS * 4):
            time.sleep(0.25)
            yield f"{n}\n".encode()

    return rows()

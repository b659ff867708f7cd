"""A bare Flask app with one route returning "hello": the baseline for lesson_throughput.py.

    gunicorn -w 2 --chdir benchmarks hello_app:app
"""
from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello():
    return "hello"

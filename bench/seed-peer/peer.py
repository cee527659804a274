"""PEER for the benchmark, NOT part of the timestamp service.

The seed design, kept only to compare against: Flask + gunicorn (sync workers) + MySQLdb,
writing the same row as the service (UUIDv7 BINARY(16) id, UTC DATETIME(6), unique request
key, instance) through the same MySQL Router, one row per transaction. `./stack bench` runs
it in the app hosts' namespaces on port 8090, behind the stack's nginx, only for the run.

Environment: PEER_DB_HOST, PEER_DB_PORT (required: the Router's read-write port, which
./stack bench passes from ./stack config), PEER_DB_NAME (timestamps), PEER_DB_USER
(ts_app), PEER_DB_SECRETS (a file with a DB_PASSWORD=... line, e.g. the app host's
secrets.env), PEER_TABLE (bench_peer), PEER_INSTANCE (the name put on each row).
"""
import datetime
import os
import re
import time
import uuid

import flask
import MySQLdb

app = flask.Flask(__name__)

TABLE = os.environ.get("PEER_TABLE", "bench_peer")
INSTANCE = os.environ.get("PEER_INSTANCE", "seed-peer")
KEY = re.compile(r"[A-Za-z0-9._:-]{1,128}\Z")
INSERT = f"INSERT INTO {TABLE} (id, recorded_at, request_key, instance) VALUES (%s, %s, %s, %s)"
SELECT = f"SELECT id, recorded_at, instance FROM {TABLE} WHERE request_key = %s"


def _password():
    with open(os.environ["PEER_DB_SECRETS"], encoding="ascii") as f:
        for line in f:
            if line.startswith("DB_PASSWORD="):
                return line.split("=", 1)[1].strip()
    raise RuntimeError("no DB_PASSWORD in PEER_DB_SECRETS")


_conn = None


def db():
    global _conn
    if _conn is None:
        _conn = MySQLdb.connect(
            host=os.environ.get("PEER_DB_HOST", "127.0.0.1"),
            port=int(os.environ["PEER_DB_PORT"]),
            user=os.environ.get("PEER_DB_USER", "ts_app"), passwd=_password(),
            db=os.environ.get("PEER_DB_NAME", "timestamps"), connect_timeout=2, autocommit=False)
    return _conn


def uuid7():
    b = bytearray((time.time_ns() // 1_000_000).to_bytes(6, "big") + os.urandom(10))
    b[6] = 0x70 | (b[6] & 0x0F)
    b[8] = 0x80 | (b[8] & 0x3F)
    return bytes(b)


def body(rid, at, key, instance, status):
    return flask.jsonify(id=str(uuid.UUID(bytes=rid)), recordedAt=at.isoformat() + "Z",
                         requestKey=key, instance=instance), status


@app.post("/app")
def record():
    key = flask.request.headers.get("Idempotency-Key")
    if key is not None and not KEY.match(key):
        return flask.jsonify(error="invalid_idempotency_key", status=400), 400
    if key is None:
        rid = flask.request.headers.get("X-Request-Id", "")
        key = rid if KEY.match(rid) else str(uuid.uuid4())
    rid = uuid7()
    at = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
    global _conn
    try:
        conn = db()
        cur = conn.cursor()
        try:
            cur.execute(INSERT, (rid, at, key, INSTANCE))
            conn.commit()
            return body(rid, at, key, INSTANCE, 201)
        except MySQLdb.IntegrityError:   # the key exists: answer with the first record
            conn.rollback()
            cur.execute(SELECT, (key,))
            row = cur.fetchone()
            return body(row[0], row[1], key, row[2], 200)
    except MySQLdb.OperationalError:
        try:
            _conn and _conn.close()
        except MySQLdb.Error:
            pass
        _conn = None
        resp = flask.jsonify(error="service_unavailable", status=503)
        resp.headers["Retry-After"] = "1"
        return resp, 503


@app.get("/health/ready")
def ready():
    try:
        db().ping()
        return flask.jsonify(status="UP")
    except MySQLdb.Error:
        return flask.jsonify(status="DOWN"), 503

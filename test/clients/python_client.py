# ChatLoop driven by python-socketio as Debian ships it (python3-socketio 5.7, python-engineio 4.3),
# stock settings, over one transport: two clients, a burst, a client that drops and rejoins 100
# messages behind, and the error paths. Prints one JSON object of what it saw; the test
# (test/python-client.test.ts) checks it. Handlers run on threads here, so what they saw is
# gathered under a lock, and seqs are compared as sets and by their maximum, as a client must.
import json
import sys
import threading

import socketio

base, alice_token, bob_token, room_id, transport = sys.argv[1:6]
WAIT = 20
lock = threading.Lock()
seen = {"bob": [], "errors": []}
caught_up = threading.Event()
burst_heard = threading.Event()


def client(token):
    sio = socketio.Client()
    sio.connect(base, transports=[transport], auth={"token": token}, socketio_path="socket.io", wait_timeout=WAIT)
    return sio


alice = client(alice_token)
bob = client(bob_token)


@bob.on("newMessage")
def on_message(message):
    with lock:
        seen["bob"].append(message["seq"])
        if len(set(seen["bob"])) == 50:
            burst_heard.set()
        if len(set(seen["bob"])) == 150:
            caught_up.set()


@alice.on("error")
def on_error(error):
    with lock:
        seen["errors"].append(error["code"])


result = {}
result["aliceJoined"] = alice.call("joinRoom", {"roomId": room_id}, timeout=WAIT)
result["bobJoined"] = bob.call("joinRoom", {"roomId": room_id}, timeout=WAIT)

# A burst: 50 sends at once, each acknowledged with its stored message.
acks = []
acked = threading.Event()


def on_ack(message):
    with lock:
        acks.append(message["seq"])
        if len(acks) == 50:
            acked.set()


for i in range(50):
    alice.emit("sendMessage", {"roomId": room_id, "content": f"burst {i}", "clientId": f"py-{transport}-{i}"}, callback=on_ack)
result["burstAcked"] = acked.wait(WAIT)
result["burstHeard"] = burst_heard.wait(WAIT)
result["ackSeqs"] = sorted(acks)

# Bob drops; 100 messages later he comes back and asks for what he missed: after the highest seq
# he saw, read once his old connection has delivered its last event.
bob.disconnect()
bob.wait()
with lock:
    last_seq = max(seen["bob"])
for i in range(100):
    alice.call("sendMessage", {"roomId": room_id, "content": f"while away {i}"}, timeout=WAIT)
bob = client(bob_token)
bob.on("newMessage", on_message)
result["rejoined"] = bob.call("joinRoom", {"roomId": room_id, "after": last_seq}, timeout=WAIT)
result["caughtUp"] = caught_up.wait(WAIT)

# What a mistake answers: an acknowledgement with the error, and an `error` event.
result["emptyMessage"] = alice.call("sendMessage", {"roomId": room_id, "content": "   "}, timeout=WAIT)
result["badPayload"] = alice.call("sendMessage", {"content": 42}, timeout=WAIT)
result["unknownRoom"] = alice.call("joinRoom", {"roomId": "00000000-0000-4000-8000-000000000000"}, timeout=WAIT)
result["stillWorks"] = alice.call("sendMessage", {"roomId": room_id, "content": "still here"}, timeout=WAIT)["seq"]

# A bad token is refused in the handshake, with the reason in connect_error.
refused = []
stranger = socketio.Client()
stranger.on("connect_error", refused.append)
try:
    stranger.connect(base, transports=[transport], auth={"token": "not a token"}, wait_timeout=5)  # it waits this long, refused or not
except socketio.exceptions.ConnectionError:
    pass
result["badToken"] = refused[0] if refused else "connected"

with lock:
    result["bobSeqs"] = sorted(seen["bob"])
    result["bobDuplicates"] = len(seen["bob"]) - len(set(seen["bob"]))
    result["errors"] = seen["errors"]
alice.disconnect()
bob.disconnect()
print(json.dumps(result))

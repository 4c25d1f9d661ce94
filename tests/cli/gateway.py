"""gateway.py - helpers for the kyojind integration tests (tests/cli/gateway-*.sh).

Every wait is a poll with a deadline: readiness and results are observed,
never assumed after a fixed pause.
"""
import glob, json, os, select, smtplib, socket, subprocess, sys, time

def pause():
    select.select([], [], [], 0.05)

def wait_for(pred, what, deadline=60):
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        if pred():
            return
        pause()
    sys.exit('timed out waiting for ' + what)

def crlf(data):
    return data.replace(b'\r\n', b'\n').replace(b'\n', b'\r\n')

def port(ready):
    wait_for(lambda: os.path.exists(ready), 'kyojind ready file ' + ready)
    return int(open(ready).read().split()[0])

def queue(kyojin, data_dir):
    out = subprocess.run([kyojin, '--data-dir', data_dir, '--json', 'queue', 'list'],
                         capture_output=True, check=True).stdout
    return json.loads(out)

def settled(kyojin, data_dir, n):
    def ok():
        q = queue(kyojin, data_dir)
        return len(q) >= n and all(e['state'] in ('delivered', 'held') for e in q)
    wait_for(ok, 'queue to settle')

def send(p, files):
    s = smtplib.SMTP('127.0.0.1', p, timeout=30)
    ids = []
    for f in files:
        s.sendmail('sender@example.net', ['staff@city.lg.jp'], crlf(open(f, 'rb').read()))
        ids.append(s.noop())
    s.quit()
    return ids

def talk(p, chunks, read_final=True):
    """Sends raw chunks, returns every reply code seen until the server closes."""
    c = socket.create_connection(('127.0.0.1', p), timeout=30)
    for ch in chunks:
        c.sendall(ch)
    c.shutdown(socket.SHUT_WR)
    data = b''
    while True:
        b = c.recv(65536)
        if not b:
            break
        data += b
    c.close()
    return [l[:3].decode() for l in data.split(b'\r\n') if len(l) > 3 and l[3:4] == b' ']

if __name__ == '__main__':
    cmd = sys.argv[1]
    if cmd == 'port':
        print(port(sys.argv[2]))
    elif cmd == 'send':
        send(int(sys.argv[2]), sys.argv[3:])
    elif cmd == 'settled':
        settled(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    elif cmd == 'talk':
        print(' '.join(talk(int(sys.argv[2]), [eval('b' + repr(a)).decode('unicode_escape').encode('latin-1') for a in sys.argv[3:]])))

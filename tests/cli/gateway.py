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
    r = subprocess.run([kyojin, '--data-dir', data_dir, '--json', 'queue', 'list'],
                       capture_output=True)
    if r.returncode != 0:
        sys.exit('kyojin queue list: ' + r.stderr.decode())
    return json.loads(r.stdout)

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
        # A server that closes with some of our bytes unread resets the
        # connection; what it said before is still read first.
        try:
            b = c.recv(65536)
        except ConnectionResetError:
            break
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

def load(p, n, conns, acked_path, sample):
    """Sends n copies of sample over conns connections in turn, appending
    the queue id of each 250 to acked_path (flushed at once).  Stops at
    the first connection failure (kyojind killed) and returns."""
    import threading
    base = crlf(open(sample, 'rb').read()) if sample != '-' else None
    lock = threading.Lock()
    out = open(acked_path, 'a')
    def worker(k):
        try:
            s = smtplib.SMTP('127.0.0.1', p, timeout=30)
            s.ehlo()
            for i in range(k, n, conns):
                s.mail('load@example.net')
                s.rcpt('staff@city.lg.jp')
                msg = (b'From: <load@example.net>\r\nTo: <staff@city.lg.jp>\r\n'
                       b'Subject: load-%d-%d\r\nMessage-ID: <%d@load.example>\r\n\r\n'
                       b'message %d\r\n' % (os.getpid(), i, i, i)) if base is None else base
                code, resp = s.data(msg)
                if code == 250:
                    with lock:
                        out.write(resp.decode().rsplit(' ', 1)[-1] + '\n')
                        out.flush()
            s.quit()
        except (OSError, smtplib.SMTPException):
            pass
    ts = [threading.Thread(target=worker, args=(k,)) for k in range(conns)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()

def check_acked(kyojin, data_dir, acked_path, maildir):
    acked = [l.strip() for l in open(acked_path) if l.strip()]
    q = {e['id']: e['state'] for e in queue(kyojin, data_dir)}
    lost = [i for i in acked if q.get(i) not in ('delivered', 'held')]
    files = os.listdir(os.path.join(maildir, 'new')) if os.path.isdir(os.path.join(maildir, 'new')) else []
    delivered = [i for i, s in q.items() if s == 'delivered']
    # A duplicate is a message (its load number) delivered under two ids.
    seen, dups = {}, 0
    for f in files:
        for line in open(os.path.join(maildir, 'new', f), 'rb'):
            if line.startswith(b'Subject: load-'):
                dups += line in seen
                seen[line] = 1
                break
    print('acked %d, queued %d, delivered %d, held %d, maildir files %d, lost %d, duplicates %d' % (
        len(acked), len(q), len(delivered), sum(1 for s in q.values() if s == 'held'),
        len(files), len(lost), dups))
    if lost:
        sys.exit('LOST: ' + ' '.join(lost))

if __name__ == '__main__' and sys.argv[1] == 'load':
    load(int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5], sys.argv[6])
if __name__ == '__main__' and sys.argv[1] == 'check-acked':
    check_acked(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5])
if __name__ == '__main__' and sys.argv[1] == 'wait-lines':
    wait_for(lambda: os.path.exists(sys.argv[2]) and sum(1 for _ in open(sys.argv[2])) >= int(sys.argv[3]),
             '%s lines in %s' % (sys.argv[3], sys.argv[2]))

def sink(port_file, mode_file, out_dir):
    """A tiny SMTP relay for tests: the first word of mode_file decides
    each transaction: accept, tempfail (451 at DATA end), permfail (550 at RCPT)."""
    import socketserver
    class H(socketserver.StreamRequestHandler):
        def handle(self):
            w = lambda s: self.wfile.write(s.encode() + b'\r\n')
            w('220 sink ESMTP')
            data = None
            while True:
                line = self.rfile.readline(4096)
                if not line:
                    return
                if data is not None:
                    if line == b'.\r\n':
                        mode = open(mode_file).read().split()[0]
                        if mode == 'tempfail':
                            w('451 4.3.0 sink says try later')
                        else:
                            n = len(os.listdir(out_dir))
                            open(os.path.join(out_dir, 'msg%d' % n), 'wb').write(b''.join(data))
                            w('250 2.0.0 sink accepted')
                        data = None
                    else:
                        data.append(line[1:] if line.startswith(b'..') else line)
                    continue
                cmd = line[:4].upper()
                if cmd == b'RCPT' and open(mode_file).read().split()[0] == 'permfail':
                    w('550 5.1.1 sink says no such user')
                elif cmd == b'DATA':
                    data = []
                    w('354 go ahead')
                elif cmd == b'QUIT':
                    w('221 bye')
                    return
                elif cmd == b'EHLO':
                    w('250-sink')
                    w('250 8BITMIME')
                else:
                    w('250 ok')
    socketserver.ThreadingTCPServer.allow_reuse_address = True
    srv = socketserver.ThreadingTCPServer(('127.0.0.1', 0), H)
    srv.daemon_threads = True
    tmp = port_file + '.tmp'
    open(tmp, 'w').write('%d\n' % srv.server_address[1])
    os.rename(tmp, port_file)
    srv.serve_forever()

def wait_entry(kyojin, data_dir, expr, what):
    def ok():
        return any(eval(expr, {'e': e}) for e in queue_full(kyojin, data_dir))
    wait_for(ok, what)

def queue_full(kyojin, data_dir):
    res = []
    for e in queue(kyojin, data_dir):
        out = subprocess.run([kyojin, '--data-dir', data_dir, '--json', 'queue', 'show', e['id']],
                             capture_output=True, check=True).stdout
        res.append(json.loads(out))
    return res

if __name__ == '__main__' and sys.argv[1] == 'sink':
    sink(sys.argv[2], sys.argv[3], sys.argv[4])
if __name__ == '__main__' and sys.argv[1] == 'wait-entry':
    wait_entry(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[4])

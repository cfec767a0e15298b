#include "support/tls_smtp_listener.hpp"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <unistd.h>

#include <fstream>

#include "dbkeep/core/command_runner.hpp"
#include "support/loopback_listener.hpp"

namespace dbkeep::test {
namespace {

constexpr const char* kScript = R"(
import base64, json, socket, ssl, sys, threading
out, cert, key, mode, address, user, password = sys.argv[1:8]
context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
context.load_cert_chain(cert, key)
listener = socket.socket()
listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
listener.bind((address, 0))
listener.listen(8)
print(listener.getsockname()[1], flush=True)
lock = threading.Lock()

def serve(conn):
    tls = False
    if mode == 'smtps':
        conn = context.wrap_socket(conn, server_side=True)
        tls = True
    f = conn.makefile('rwb')
    def send(line):
        f.write((line + '\r\n').encode())
        f.flush()
    def receive():
        line = f.readline()
        if not line:
            raise EOFError()
        return line.decode().rstrip('\r\n')
    send('220 dbkeep-test ESMTP')
    authed, sender, recipients = None, None, []
    while True:
        command = receive()
        verb = command.split(' ')[0].upper()
        if verb in ('EHLO', 'HELO'):
            lines = ['dbkeep-test']
            if mode == 'starttls' and not tls:
                lines.append('STARTTLS')
            if tls:
                lines.append('AUTH PLAIN LOGIN')
            for i, text in enumerate(lines):
                send(('250 ' if i == len(lines) - 1 else '250-') + text)
        elif verb == 'STARTTLS' and mode == 'starttls' and not tls:
            send('220 ready for TLS')
            f.close()
            conn = context.wrap_socket(conn, server_side=True)
            f = conn.makefile('rwb')
            tls = True
        elif verb == 'AUTH' and tls:
            parts = command.split(' ')
            if parts[1].upper() == 'PLAIN':
                if len(parts) < 3:
                    send('334 ')
                    parts.append(receive())
                fields = base64.b64decode(parts[2]).split(b'\0')
                given = (fields[1].decode(), fields[2].decode())
            else:
                if len(parts) < 3:
                    send('334 VXNlcm5hbWU6')
                    parts.append(receive())
                name = base64.b64decode(parts[2]).decode()
                send('334 UGFzc3dvcmQ6')
                given = (name, base64.b64decode(receive()).decode())
            if given == (user, password):
                authed = user
                send('235 authenticated')
            else:
                send('535 authentication failed')
        elif verb == 'MAIL':
            if not authed:
                send('530 authentication required')
                continue
            sender = command.split(':', 1)[1].strip().strip('<>')
            recipients = []
            send('250 ok')
        elif verb == 'RCPT':
            recipients.append(command.split(':', 1)[1].strip().strip('<>'))
            send('250 ok')
        elif verb == 'DATA':
            send('354 go on')
            lines = []
            while True:
                line = receive()
                if line == '.':
                    break
                lines.append(line[1:] if line.startswith('.') else line)
            with lock, open(out, 'a') as record:
                record.write(json.dumps({'from': sender, 'to': recipients, 'tls': tls,
                                         'user': authed, 'data': '\n'.join(lines)}) + '\n')
            send('250 queued')
        elif verb == 'QUIT':
            send('221 bye')
            return
        else:
            send('250 ok' if verb in ('RSET', 'NOOP') else '502 not implemented')

def handle(conn):
    try:
        serve(conn)
    except Exception:
        pass
    finally:
        conn.close()

while True:
    connection, _ = listener.accept()
    threading.Thread(target=handle, args=(connection,), daemon=True).start()
)";

}  // namespace

TlsSmtpListener::TlsSmtpListener(Mode mode, std::string address, std::string user,
                                 std::string password) {
  if (!python3_available()) {
    missing_reason_ = "python3 is not installed";
    return;
  }
  core::SystemCommandRunner runner;
  auto made = runner.run(
      {.argv = {"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
                "/CN=" + address, "-addext", "subjectAltName=IP:" + address, "-keyout",
                (dir_.path() / "key.pem").string(), "-out", certificate().string()}});
  if (!made || !made->success()) {
    missing_reason_ = "the openssl tool cannot make a test certificate (install openssl)";
    return;
  }
  auto script = dir_.path() / "smtp.py";
  std::ofstream(script) << kScript;
  auto child = core::ChildProcess::spawn(
      {.argv = {"python3", script.string(), (dir_.path() / "received.jsonl").string(),
                certificate().string(), (dir_.path() / "key.pem").string(),
                mode == Mode::kImplicitTls ? "smtps" : "starttls", address, user, password},
       .pipe_stdout = true});
  if (!child) {
    missing_reason_ = child.error().message;
    return;
  }
  process_ = std::move(*child);
  std::string line;
  char c = 0;
  while (::read(process_->stdout_fd().get(), &c, 1) == 1 && c != '\n') line += c;
  port_ = line.empty() ? 0 : std::stoi(line);
  if (port_ == 0) missing_reason_ = "the SMTP test server did not start";
}

TlsSmtpListener::~TlsSmtpListener() {
  if (process_) process_->terminate(std::chrono::milliseconds(1000));
}

std::vector<nlohmann::json> TlsSmtpListener::received() const {
  return read_json_lines(dir_.path() / "received.jsonl");
}

std::optional<std::string> non_loopback_address() {
  ifaddrs* addresses = nullptr;
  if (::getifaddrs(&addresses) != 0) return std::nullopt;
  std::optional<std::string> found;
  for (ifaddrs* entry = addresses; entry && !found; entry = entry->ifa_next) {
    if (!entry->ifa_addr || entry->ifa_addr->sa_family != AF_INET) continue;
    auto* ipv4 = reinterpret_cast<sockaddr_in*>(entry->ifa_addr);
    if ((ntohl(ipv4->sin_addr.s_addr) >> 24) == 127) continue;
    char text[INET_ADDRSTRLEN] = {};
    ::inet_ntop(AF_INET, &ipv4->sin_addr, text, sizeof text);
    found = text;
  }
  ::freeifaddrs(addresses);
  return found;
}

}  // namespace dbkeep::test

#include "support/loopback_listener.hpp"

#include <unistd.h>

#include <fstream>

namespace dbkeep::test {
namespace {

constexpr const char* kHttpScript = R"(
import http.server, json, sys
out, statuses = sys.argv[1], [int(s) for s in sys.argv[2].split(',') if s]
class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get('Content-Length', 0)))
        status = statuses.pop(0) if statuses else 200
        with open(out, 'a') as f:
            f.write(json.dumps({'status': status, 'path': self.path,
                                'content_type': self.headers.get('Content-Type'),
                                'body': body.decode()}) + '\n')
        self.send_response(status)
        self.send_header('Content-Length', '0')
        self.end_headers()
    def log_message(self, *args):
        pass
server = http.server.HTTPServer(('127.0.0.1', 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
)";

constexpr const char* kSmtpScript = R"(
import warnings
warnings.simplefilter('ignore')
import asyncore, json, smtpd, sys
out = sys.argv[1]
class Server(smtpd.SMTPServer):
    def process_message(self, peer, mailfrom, rcpttos, data, **kwargs):
        with open(out, 'a') as f:
            f.write(json.dumps({'from': mailfrom, 'to': rcpttos, 'data': data.decode()}) + '\n')
server = Server(('127.0.0.1', 0), None)
print(server.socket.getsockname()[1], flush=True)
asyncore.loop()
)";

}  // namespace

bool python3_available() {
  return std::filesystem::exists("/usr/bin/python3");
}

LoopbackListener::LoopbackListener(Kind kind, std::vector<int> statuses) {
  if (!python3_available()) return;
  auto script = dir_.path() / "server.py";
  std::ofstream(script) << (kind == Kind::kHttp ? kHttpScript : kSmtpScript);
  std::string status_list;
  for (int status : statuses) status_list += std::to_string(status) + ",";
  auto child = core::ChildProcess::spawn(
      {.argv = {"python3", script.string(), (dir_.path() / "received.jsonl").string(), status_list},
       .pipe_stdout = true});
  if (!child) return;
  process_ = std::move(*child);
  std::string line;
  char c = 0;
  while (::read(process_->stdout_fd().get(), &c, 1) == 1 && c != '\n') line += c;
  port_ = line.empty() ? 0 : std::stoi(line);
}

LoopbackListener::~LoopbackListener() {
  if (process_) process_->terminate(std::chrono::milliseconds(1000));
}

std::vector<nlohmann::json> read_json_lines(const std::filesystem::path& file) {
  std::vector<nlohmann::json> messages;
  std::ifstream in(file);
  std::string line;
  while (std::getline(in, line)) messages.push_back(nlohmann::json::parse(line));
  return messages;
}

std::vector<nlohmann::json> LoopbackListener::received() const {
  return read_json_lines(dir_.path() / "received.jsonl");
}

}  // namespace dbkeep::test

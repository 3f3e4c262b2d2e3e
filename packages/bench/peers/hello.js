// The HTTP peers' one handler: GET / answers Hello, World!, anything else 404.
const body = 'Hello, World!';

exports.hello = function hello(req, res) {
  if (req.method === 'GET' && req.url === '/') {
    res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': body.length });
    res.end(body);
  } else {
    res.writeHead(404, { 'Content-Length': 0 });
    res.end();
  }
};

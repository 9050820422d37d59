using System.Net.Sockets;
using System.Text;
using EdgeLlm.Tests.Daemon;

namespace EdgeLlm.Tests.Http;

/// <summary>An attacker on the LAN holding many half-sent HTTP requests: the HTTP side caps them, the socket never notices.</summary>
public sealed class HttpFloodTests
{
    [Fact]
    public async Task Many_half_sent_requests_leave_the_socket_serving_and_http_recovers_when_they_go()
    {
        await using var d = await HttpDaemon.StartAsync();
        var endPoint = new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, d.Base.Port);
        var held = new List<Socket>();
        try
        {
            // More than Kestrel's connection cap (64), each a request line and one header, never finished.
            for (int i = 0; i < 100; i++)
            {
                var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                held.Add(s);
                await s.ConnectAsync(endPoint);
                await s.SendAsync(Encoding.ASCII.GetBytes("POST /api/chat HTTP/1.1\r\nHost: x\r\n"));
            }
            using var socket = d.Daemon.Connect();
            socket.Send("""{"id":"s","prompt":"Once","max_tokens":2}""");
            Assert.Equal("length", (await socket.ReadUntilFinalAsync("s"))[^1].Finish());
        }
        finally
        {
            foreach (var s in held) s.Dispose();
        }
        // Once they are gone, HTTP answers again (the cap frees as the server sees the closes).
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            try
            {
                var (status, _) = await d.GetAsync("/api/version");
                Assert.Equal(200, status);
                break;
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
        }
    }
}

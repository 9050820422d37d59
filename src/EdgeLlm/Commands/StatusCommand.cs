using System.Globalization;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using EdgeLlm.Config;

namespace EdgeLlm.Commands;

/// <summary>
/// <c>edgellm status [--socket-path PATH] [--json]</c>: asks a running daemon for its state, queue, figures and guard
/// states (thermal, memory). Exit 0 when answered, 1 when no daemon answers.
/// </summary>
internal static class StatusCommand
{
    public static int Run(string[] args)
    {
        var a = new ArgReader(args, new HashSet<string> { "json" }, CliAliases.Status);
        string socketPath = DaemonSocket.PathFrom(a);
        bool json = a.Flag("json");
        a.RejectUnknown();

        using var socket = DaemonSocket.TryConnect(socketPath, out string problem);
        if (socket is null)
        {
            Console.Error.WriteLine($"error: {problem}");
            return 1;
        }
        string? line;
        try
        {
            socket.ReceiveTimeout = 10_000;
            using var stream = new NetworkStream(socket, ownsSocket: false);
            stream.Write("{\"op\":\"status\",\"id\":\"status\"}\n"u8);
            using var reader = new StreamReader(stream, new UTF8Encoding(false));
            line = reader.ReadLine();
        }
        catch (Exception e) when (e is SocketException or IOException)
        {
            Console.Error.WriteLine($"error: the daemon on {socketPath} did not answer: {e.Message}");
            return 1;
        }
        if (line is null)
        {
            Console.Error.WriteLine($"error: the daemon on {socketPath} closed the connection without answering");
            return 1;
        }
        if (json)
        {
            Console.WriteLine(line);
            return 0;
        }

        using var doc = JsonDocument.Parse(line);
        var s = doc.RootElement;
        if (s.TryGetProperty("error", out var error))
        {
            Console.Error.WriteLine($"error: {error.GetProperty("message").GetString()}");
            return 1;
        }
        string Get(string name) => s.TryGetProperty(name, out var v) ? v.ToString() : "?";
        double Num(string name) => s.TryGetProperty(name, out var v) && v.TryGetDouble(out double d) ? d : 0;
        var inv = CultureInfo.InvariantCulture;
        Console.WriteLine($"state:      {Get("state")}{(Get("generating") == "True" ? " (generating)" : "")}");
        Console.WriteLine($"model:      {Get("model")} (template {Get("template")}, context {Get("context_size")})");
        Console.WriteLine($"queue:      {Get("queue_depth")} of {Get("queue_length")}");
        Console.WriteLine($"served:     {Get("requests_served")} ({Get("requests_rejected")} rejected)");
        Console.WriteLine($"last speed: {Num("last_tps").ToString("F1", inv)} tok/s generation, {Num("last_prompt_tps").ToString("F1", inv)} tok/s prompt");
        Console.WriteLine($"uptime:     {HumanDuration.Format(TimeSpan.FromSeconds(Num("uptime_seconds")))}");
        if (s.TryGetProperty("guards", out var guards))
            foreach (var g in guards.EnumerateObject())
                Console.WriteLine($"{g.Name + ":",-11} {g.Value.GetString()}");
        if (s.TryGetProperty("prompt_cache", out var slots))
        {
            Console.WriteLine($"prompt cache: {slots.GetArrayLength()} slot{(slots.GetArrayLength() == 1 ? "" : "s")}");
            foreach (var slot in slots.EnumerateArray())
            {
                var lastUse = slot.GetProperty("last_use").GetDateTime();
                string ago = HumanDuration.Format(DateTime.UtcNow - lastUse.ToUniversalTime());
                Console.WriteLine($"  {slot.GetProperty("tokens").GetInt32(),6} tokens  {slot.GetProperty("bytes").GetInt64() / 1048576.0,8:F1} MiB  " +
                                  $"used {ago} ago{(slot.GetProperty("on_disk").GetBoolean() ? ", on disk" : "")}");
            }
        }
        return 0;
    }
}

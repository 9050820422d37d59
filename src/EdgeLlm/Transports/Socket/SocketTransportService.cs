using System.Collections.Concurrent;
using System.Net.Sockets;
using EdgeLlm.Pipeline;
using EdgeLlm.Protocol;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EdgeLlm.Transports.Socket;

/// <summary>
/// The Unix socket transport: listens once the model is ready, serves each client on its own
/// <see cref="SocketConnection"/>, and on shutdown stops accepting, lets the pipeline drain (running answers end
/// <c>cancelled</c>), flushes the replies, closes the connections and removes the socket file.
/// </summary>
internal sealed class SocketTransportService(SocketSettings settings, RequestPipeline pipeline, ILogger<SocketTransportService> log) : IHostedService, IDisposable
{
    /// <summary>How long shutdown waits for the running generation to notice its cancellation.</summary>
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(1.5);

    private readonly ConcurrentDictionary<SocketConnection, Task> _connections = new();
    private readonly CancellationTokenSource _stopping = new();
    private System.Net.Sockets.Socket? _listener;
    private BoundSocket? _bound;
    private Task _acceptLoop = Task.CompletedTask;
    private Task _idleSweep = Task.CompletedTask;
    private Task _trim = Task.CompletedTask;
    private int _connectionNumber;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _listener = UnixSocketBinder.FromSystemd();
        if (_listener is not null)
        {
            log.LogInformation("listening on the socket passed by systemd (socket activation)");
        }
        else
        {
            _bound = UnixSocketBinder.Bind(settings, log);
            _listener = _bound.Socket;
            log.LogInformation("listening on {Path} (mode {Mode})", settings.Path, Convert.ToString((int)settings.Mode, 8).PadLeft(4, '0'));
        }
        _acceptLoop = AcceptLoopAsync(_listener);
        if (settings.IdleTimeout > TimeSpan.Zero) _idleSweep = SweepIdleAsync(settings.IdleTimeout);
        _trim = TrimAfterBigLinesAsync(BigLineTrimmer.ForDaemon());
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _stopping.Cancel();
        CloseListener();
        pipeline.BeginShutdown();
        await pipeline.WorkerStopped.WaitAsync(DrainTimeout, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        foreach (var c in _connections.Keys) c.StopReading();
        await Task.WhenAll(_connections.Values).WaitAsync(TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await _acceptLoop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await _idleSweep.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await _trim.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    public void Dispose()
    {
        CloseListener();
        _stopping.Dispose();
    }

    private void CloseListener()
    {
        var listener = Interlocked.Exchange(ref _listener, null);
        if (listener is null) return;
        if (_bound is null) listener.Dispose();
        else if (!_bound.CloseAndRemove())
            log.LogWarning("left {Path} in place: it is no longer the socket this daemon created (another daemon took the path over)", settings.Path);
    }

    private async Task AcceptLoopAsync(System.Net.Sockets.Socket listener)
    {
        while (!_stopping.IsCancellationRequested)
        {
            System.Net.Sockets.Socket client;
            try
            {
                client = await listener.AcceptAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException e)
            {
                // E.g. EMFILE: log, breathe, keep serving.
                log.LogWarning("accept failed: {Message}", e.Message);
                await Task.Delay(100).ConfigureAwait(false);
                continue;
            }

            // One slot beyond max_connections is kept for status, so that clients that hold every connection
            // (idle, or never reading) cannot lock the administrator out.
            bool full = _connections.Count(c => !c.Key.StatusOnly) >= settings.MaxConnections;
            if (full && _connections.Keys.Any(c => c.StatusOnly))
            {
                log.LogWarning("refusing a client: {Max} connections already open (max_connections) and the status slot is taken", settings.MaxConnections);
                _ = RefuseAsync(client);
                continue;
            }
            var connection = new SocketConnection(client, pipeline, settings.MaxLineBytes, Interlocked.Increment(ref _connectionNumber), log, statusOnly: full);
            _connections[connection] = ServeAsync(connection);
        }
    }

    /// <summary>Closes connections that hold a slot with nothing in flight and say nothing for <paramref name="idle"/>.</summary>
    private async Task SweepIdleAsync(TimeSpan idle)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(Math.Clamp(idle.TotalSeconds / 4, 0.05, 5)));
        try
        {
            while (await timer.WaitForNextTickAsync(_stopping.Token).ConfigureAwait(false))
                foreach (var connection in _connections.Keys)
                    connection.CloseIfIdle(idle);
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Once a second: after a burst of big lines, one collection gives their memory back (see <see cref="BigLineTrimmer"/>).</summary>
    private async Task TrimAfterBigLinesAsync(BigLineTrimmer trimmer)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        try
        {
            while (await timer.WaitForNextTickAsync(_stopping.Token).ConfigureAwait(false))
                if (trimmer.Tick()) log.LogDebug("collected after big request lines");
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task ServeAsync(SocketConnection connection)
    {
        await Task.Yield();
        try
        {
            await connection.RunAsync().ConfigureAwait(false);
        }
        finally
        {
            _connections.TryRemove(connection, out _);
        }
    }

    private static async Task RefuseAsync(System.Net.Sockets.Socket client)
    {
        using (client)
        {
            try
            {
                await client.SendAsync(ProtocolJson.Error(null, ErrorCodes.Busy, "too many connections; try again later")).ConfigureAwait(false);
                client.Shutdown(SocketShutdown.Both);
            }
            catch (SocketException)
            {
            }
        }
    }
}

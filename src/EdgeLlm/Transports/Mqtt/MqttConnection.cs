using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using MQTTnet;
using MQTTnet.Protocol;

namespace EdgeLlm.Transports.Mqtt;

/// <summary>
/// The broker connection: MQTT 5, persistent session (clean start off, session expiry), Last Will <c>offline</c> on the
/// availability topic, optional login and TLS. Keeps itself connected: a failed or lost connection is retried with
/// capped exponential backoff and jitter (<see cref="ReconnectBackoff"/>), each failure logged with its cause
/// (unreachable, login refused, TLS). After every (re)connect <c>onConnected</c> runs (subscriptions, availability)
/// before <see cref="WaitConnectedAsync"/> lets the publishers go on.
/// </summary>
public sealed class MqttConnection : IAsyncDisposable
{
    private readonly MqttSettings _settings;
    private readonly MqttTopics _topics;
    private readonly ILogger _log;
    private readonly IMqttClient _client;
    private readonly Func<MqttClientConnectResult, CancellationToken, Task> _onConnected;
    private readonly Lock _lock = new();
    private TaskCompletionSource _connected = NewSignal();
    private TaskCompletionSource _lost = NewSignal();
    private bool _up;
    private long _connects;

    public MqttConnection(MqttSettings settings, MqttTopics topics, ILogger log,
        Func<MqttApplicationMessageReceivedEventArgs, Task> onMessage,
        Func<MqttClientConnectResult, CancellationToken, Task> onConnected)
    {
        _settings = settings;
        _topics = topics;
        _log = log;
        _onConnected = onConnected;
        _client = new MqttClientFactory().CreateMqttClient();
        _client.ApplicationMessageReceivedAsync += onMessage;
        _client.DisconnectedAsync += OnDisconnected;
    }

    public IMqttClient Client => _client;

    /// <summary>Connected and set up (subscribed, <c>online</c> published).</summary>
    public bool IsConnected
    {
        get { lock (_lock) return _up && _client.IsConnected; }
    }

    /// <summary>Successful connections so far (a reconnect counts again).</summary>
    public long Connects => Interlocked.Read(ref _connects);

    /// <summary>Test seam: awaited before each connection attempt.</summary>
    internal Func<CancellationToken, Task>? BeforeConnect { get; set; }

    /// <summary>Completes once connected and set up; at once if already so.</summary>
    public Task WaitConnectedAsync(CancellationToken cancellation)
    {
        Task t;
        lock (_lock) t = _connected.Task;
        return t.IsCompleted ? t : t.WaitAsync(cancellation);
    }

    /// <summary>Connects, and reconnects whenever the connection fails, until <paramref name="stop"/>.</summary>
    public async Task RunAsync(CancellationToken stop)
    {
        var backoff = new ReconnectBackoff(_settings.ReconnectMin, _settings.ReconnectMax);
        string endpoint = $"{_settings.Host}:{_settings.EffectivePort}";
        while (!stop.IsCancellationRequested)
        {
            TaskCompletionSource lost;
            lock (_lock) lost = _lost = NewSignal();
            string? failure = null;
            try
            {
                if (BeforeConnect is { } gate) await gate(stop).ConfigureAwait(false);
                var options = BuildOptions();
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stop);
                timeout.CancelAfter(TimeSpan.FromSeconds(15));
                var result = await _client.ConnectAsync(options, timeout.Token).ConfigureAwait(false);
                if (result.ResultCode == MqttClientConnectResultCode.Success)
                {
                    await _onConnected(result, stop).ConfigureAwait(false);
                    lock (_lock)
                    {
                        _up = true;
                        _connected.TrySetResult();
                    }
                    Interlocked.Increment(ref _connects);
                    backoff.Reset();
                    _log.LogInformation("mqtt: connected to {Endpoint} as {ClientId} (session {Session}); topics under {Prefix}",
                        endpoint, _settings.EffectiveClientId, result.IsSessionPresent ? "resumed" : "new", _topics.Prefix);
                    await lost.Task.WaitAsync(stop).ConfigureAwait(false);
                    _log.LogWarning("mqtt: lost the connection to {Endpoint}; reconnecting", endpoint);
                    continue;
                }
                failure = result.ResultCode is MqttClientConnectResultCode.BadUserNameOrPassword or MqttClientConnectResultCode.NotAuthorized
                    ? $"the broker refused the login ({result.ResultCode}) for user '{_settings.Username ?? "(none)"}': check mqtt_username and mqtt_password"
                    : $"the broker refused the connection: {result.ResultCode} {result.ReasonString}";
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                failure = Describe(e);
            }

            MarkDown();
            if (failure is not null)
            {
                // E.g. the set-up after a successful CONNECT failed: start over from a clean state.
                if (_client.IsConnected) await DisconnectAsync(stop).ConfigureAwait(false);
                var delay = backoff.Next();
                _log.LogWarning("mqtt: cannot connect to {Endpoint}: {Failure}; retrying in {Delay:F1} s (attempt {Attempt})",
                    endpoint, failure, delay.TotalSeconds, backoff.Failures);
                try
                {
                    await Task.Delay(delay, stop).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }
        MarkDown();
    }

    /// <summary>Ends the connection cleanly (the broker does not send the Last Will).</summary>
    public async Task DisconnectAsync(CancellationToken cancellation)
    {
        MarkDown();
        try
        {
            if (_client.IsConnected)
                await _client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().WithReason(MqttClientDisconnectOptionsReason.NormalDisconnection).Build(), cancellation).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            _log.LogDebug("mqtt: disconnect failed: {Message}", e.Message);
        }
    }

    /// <summary>Drops the TCP connection without an MQTT DISCONNECT, as a crash would (the broker then publishes the Last Will).</summary>
    internal void Abort()
    {
        MarkDown();
        _client.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        await DisconnectAsync(CancellationToken.None).ConfigureAwait(false);
        _client.Dispose();
    }

    private Task OnDisconnected(MqttClientDisconnectedEventArgs args)
    {
        MarkDown();
        lock (_lock) _lost.TrySetResult();
        return Task.CompletedTask;
    }

    private void MarkDown()
    {
        lock (_lock)
        {
            _up = false;
            if (_connected.Task.IsCompleted) _connected = NewSignal();
        }
    }

    private MqttClientOptions BuildOptions()
    {
        var s = _settings;
        var qos = (MqttQualityOfServiceLevel)s.Qos;
        var builder = new MqttClientOptionsBuilder()
            .WithTcpServer(s.Host, s.EffectivePort)
            .WithClientId(s.EffectiveClientId)
            .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500)
            .WithCleanStart(false)
            .WithSessionExpiryInterval((uint)s.SessionExpiry.TotalSeconds)
            .WithKeepAlivePeriod(s.KeepAlive)
            .WithTimeout(TimeSpan.FromSeconds(15))
            // Requests over max_payload still arrive (and get an error reply); far larger ones the broker drops.
            // The broker silently drops what exceeds this, so it is not max_payload: a payload up to the largest
            // max_payload allowed still arrives and gets its bad_request reply instead of nothing.
            .WithMaximumPacketSize(MqttSettings.LargestMaxPayload + 1024 * 1024)
            .WithWillTopic(_topics.Availability)
            .WithWillPayload("offline"u8.ToArray())
            .WithWillRetain()
            .WithWillQualityOfServiceLevel(qos);
        if (s.Username is not null) builder.WithCredentials(s.Username, s.ResolvePassword());
        if (s.Tls) builder.WithTlsOptions(ConfigureTls);
        return builder.Build();
    }

    private void ConfigureTls(MqttClientTlsOptionsBuilder tls)
    {
        var s = _settings;
        // An offline Pi cannot fetch revocation lists; a home broker's private CA rarely publishes any.
        tls.UseTls().WithRevocationMode(X509RevocationMode.NoCheck).WithTargetHost(s.Host);
        if (s.CaFile is not null)
        {
            var trust = new X509Certificate2Collection();
            try
            {
                trust.ImportFromPemFile(s.CaFile);
            }
            catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException)
            {
                throw new TlsSetupException($"cannot read the CA certificate in mqtt_tls_ca_file '{s.CaFile}': {e.Message}");
            }
            if (trust.Count == 0) throw new TlsSetupException($"mqtt_tls_ca_file '{s.CaFile}' holds no PEM certificate");
            tls.WithTrustChain(trust);
        }
        if (s.ClientCertFile is not null && s.ClientKeyFile is not null)
        {
            try
            {
                tls.WithClientCertificates([X509Certificate2.CreateFromPemFile(s.ClientCertFile, s.ClientKeyFile)]);
            }
            catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException or ArgumentException)
            {
                throw new TlsSetupException($"cannot load the client certificate mqtt_tls_client_cert '{s.ClientCertFile}' with key '{s.ClientKeyFile}': {e.Message}");
            }
        }
        if (s.AllowUntrusted)
            tls.WithAllowUntrustedCertificates().WithIgnoreCertificateChainErrors().WithCertificateValidationHandler(_ => true);
    }

    private string Describe(Exception e)
    {
        for (var x = e; x is not null; x = x.InnerException)
        {
            switch (x)
            {
                case TlsSetupException:
                    return x.Message;
                case AuthenticationException:
                    return _settings.CaFile is not null
                        ? $"TLS handshake failed ({x.Message}): is the broker certificate signed by the CA in mqtt_tls_ca_file '{_settings.CaFile}', and issued for '{_settings.Host}'?"
                        : $"TLS handshake failed ({x.Message}): the broker certificate is not trusted by the system CAs; set mqtt_tls_ca_file to the CA that signed it";
                case SocketException se:
                    return $"broker unreachable ({se.SocketErrorCode}: {se.Message})";
            }
        }
        return $"{e.GetType().Name}: {e.Message}";
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private sealed class TlsSetupException(string message) : Exception(message);
}

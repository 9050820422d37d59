using Microsoft.Extensions.Hosting;

namespace EdgeLlm.Http;

/// <summary>
/// The lifetime of the web application inside the daemon's host: none of its own. The default one would catch
/// SIGTERM and stop Kestrel by itself, before the daemon has drained the pipeline and sent the final chunks; the daemon's
/// host alone answers signals and systemd, and stops the web application through <see cref="HttpService.StopAsync"/>.
/// </summary>
internal sealed class EmbeddedLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

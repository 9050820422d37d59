using EdgeLlm.Tests.Mqtt;
using Microsoft.Extensions.Logging;

namespace EdgeLlm.Tests.Daemon;

/// <summary>Routes every logger of a host to one <see cref="TestLog"/>.</summary>
internal sealed class TestLogProvider(TestLog log) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => log;

    public void Dispose()
    {
    }
}

using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace EdgeLlm.Tests.Mqtt;

/// <summary>An ILogger that keeps the formatted lines and lets a test await one that contains a given text.</summary>
internal sealed class TestLog : ILogger
{
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly List<(string Text, TaskCompletionSource<string> Found)> _waits = [];
    private readonly Lock _lock = new();

    public IReadOnlyList<string> Lines => [.. _lines];

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        string line = $"{logLevel}: {formatter(state, exception)}";
        _lines.Enqueue(line);
        lock (_lock)
        {
            foreach (var w in _waits.Where(w => line.Contains(w.Text, StringComparison.Ordinal)).ToList())
            {
                w.Found.TrySetResult(line);
                _waits.Remove(w);
            }
        }
    }

    /// <summary>The first line (already logged or coming) that contains <paramref name="text"/>.</summary>
    public Task<string> WaitForAsync(string text, TimeSpan? timeout = null)
    {
        var found = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lock)
        {
            if (_lines.FirstOrDefault(l => l.Contains(text, StringComparison.Ordinal)) is { } line) return Task.FromResult(line);
            _waits.Add((text, found));
        }
        return found.Task.WaitAsync(timeout ?? TimeSpan.FromSeconds(15));
    }

    public int Count(string text) => _lines.Count(l => l.Contains(text, StringComparison.Ordinal));
}

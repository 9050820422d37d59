namespace EdgeLlm.Tests.Mqtt;

/// <summary>The broker harness itself works: plain, with a password file, with TLS, and across a restart.</summary>
public class MosquittoBrokerTests
{
    private static void RoundTrip(MosquittoBroker broker)
    {
        string topic = $"edgellm-test/{Guid.NewGuid():N}";
        (int Exit, string Out, string Err) subResult = (-1, "", "");
        var sub = new Thread(() => subResult = broker.Client("mosquitto_sub", TimeSpan.FromSeconds(10), "-t", topic, "-C", "1", "-W", "8"));
        sub.Start();
        Thread.Sleep(500);
        var pub = broker.Client("mosquitto_pub", TimeSpan.FromSeconds(5), "-t", topic, "-m", "hello");
        Assert.True(pub.Exit == 0, pub.Err);
        sub.Join();
        var (exit, stdout, stderr) = subResult;
        Assert.True(exit == 0, stderr + broker.LogText);
        Assert.Equal("hello", stdout.Trim());
    }

    [Fact]
    public void Plain_broker_round_trip_and_restart()
    {
        using var broker = new MosquittoBroker();
        RoundTrip(broker);
        broker.Kill();
        broker.Start();
        RoundTrip(broker);
    }

    [Fact]
    public void Password_file_is_enforced()
    {
        using var broker = new MosquittoBroker("edge", "s3cret");
        RoundTrip(broker);
        var denied = broker.AnonymousClient("mosquitto_pub", TimeSpan.FromSeconds(5), "-t", "x", "-m", "y");
        Assert.NotEqual(0, denied.Exit);
    }

    [Fact]
    public void Tls_with_a_test_ca()
    {
        using var broker = new MosquittoBroker(tls: true);
        Assert.NotNull(broker.CaCertificatePath);
        RoundTrip(broker);
    }
}

using System.Text;
using EdgeLlm.Http;

namespace EdgeLlm.Tests.Http;

public sealed class ApiKeyCheckTests
{
    [Theory]
    [InlineData("s3cret", true)]
    [InlineData("s3cre", false)]
    [InlineData("s3cret!", false)]
    [InlineData("s3cr3t", false)]
    [InlineData("s3crets3cret", false)]
    [InlineData("", false)]
    public void Only_the_exact_key_matches(string given, bool expected) =>
        Assert.Equal(expected, ApiKeyCheck.EqualInConstantTime(Encoding.UTF8.GetBytes(given), Encoding.UTF8.GetBytes("s3cret")));
}

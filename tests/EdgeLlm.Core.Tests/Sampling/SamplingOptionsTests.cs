using EdgeLlm.Core.Sampling;

namespace EdgeLlm.Core.Tests.Sampling;

public class SamplingOptionsTests
{
    [Fact]
    public void Defaults_match_llama_cpp_and_validate()
    {
        var o = new SamplingOptions();
        Assert.Equal((0.8f, 40, 0.95f, 0.05f, 1.1f, 0f, 0f, 64), (o.Temperature, o.TopK, o.TopP, o.MinP, o.RepeatPenalty, o.FrequencyPenalty, o.PresencePenalty, o.PenaltyWindow));
        Assert.Null(o.Seed);
        o.Validate();
        SamplingOptions.Greedy.Validate();
        Assert.True(SamplingOptions.Greedy.IsGreedy);
        Assert.False(SamplingOptions.Greedy.PenaltiesEnabled);
    }

    [Fact]
    public void Negative_temperature_and_boundary_values_are_valid()
    {
        new SamplingOptions { Temperature = -1f, TopP = 1f, MinP = 1f, TopK = 0, PenaltyWindow = -1, FrequencyPenalty = -0.5f }.Validate();
        new SamplingOptions { MinP = 0f, TopP = 1e-6f }.Validate();
    }

    public static TheoryData<SamplingOptions, string> InvalidOptions => new()
    {
        { new SamplingOptions { Temperature = float.NaN }, "Temperature" },
        { new SamplingOptions { Temperature = float.PositiveInfinity }, "Temperature" },
        { new SamplingOptions { TopK = -1 }, "TopK" },
        { new SamplingOptions { TopP = 0f }, "TopP" },
        { new SamplingOptions { TopP = 1.01f }, "TopP" },
        { new SamplingOptions { TopP = float.NaN }, "TopP" },
        { new SamplingOptions { MinP = -0.1f }, "MinP" },
        { new SamplingOptions { MinP = 1.5f }, "MinP" },
        { new SamplingOptions { MinP = float.NaN }, "MinP" },
        { new SamplingOptions { RepeatPenalty = 0f }, "RepeatPenalty" },
        { new SamplingOptions { RepeatPenalty = -1f }, "RepeatPenalty" },
        { new SamplingOptions { RepeatPenalty = float.NaN }, "RepeatPenalty" },
        { new SamplingOptions { FrequencyPenalty = float.PositiveInfinity }, "FrequencyPenalty" },
        { new SamplingOptions { PresencePenalty = float.NaN }, "PresencePenalty" },
        { new SamplingOptions { PenaltyWindow = -2 }, "PenaltyWindow" },
    };

    [Theory]
    [MemberData(nameof(InvalidOptions))]
    public void Validate_names_the_offending_field(SamplingOptions options, string field)
    {
        var ex = Assert.Throws<ArgumentException>(options.Validate);
        Assert.Equal(field, ex.ParamName);
        Assert.Contains(field, ex.Message);
    }

    [Fact]
    public void Sampler_constructor_validates()
    {
        Assert.Throws<ArgumentException>(() => new Sampler(new SamplingOptions { TopK = -3 }, 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Sampler(new SamplingOptions(), 0));
    }
}

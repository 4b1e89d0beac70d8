using DaprVideo.Tests.DaprSidecar.Resiliency;

namespace DaprVideo.Tests.DaprSidecarTests.Resiliency;

/// <summary>Trip expressions as daprd evaluates them (CEL via dapr/dapr pkg/expr; errors and non-bool results never trip).</summary>
public sealed class TripExpressionTests
{
    private static BreakerCounts Counts(uint requests = 0, uint successes = 0, uint failures = 0, uint consecutiveSuccesses = 0, uint consecutiveFailures = 0) =>
        new(requests, successes, failures, consecutiveSuccesses, consecutiveFailures);

    [Theory]
    [InlineData("consecutiveFailures >= 5", 4, false)]
    [InlineData("consecutiveFailures >= 5", 5, true)]
    [InlineData("consecutiveFailures > 5", 5, false)]
    [InlineData("consecutiveFailures > 5", 6, true)]
    [InlineData("consecutiveFailures == 3", 3, true)]
    [InlineData("consecutiveFailures != 3", 3, false)]
    [InlineData("consecutiveFailures < 2", 1, true)]
    [InlineData("consecutiveFailures <= 2", 3, false)]
    [InlineData("consecutiveFailures > 2.5", 3, true)] // runtime int/double comparison is numeric
    [InlineData("(consecutiveFailures + 1) * 2 > 7", 3, true)]
    public void Comparisons_over_consecutive_failures(string text, uint consecutiveFailures, bool trips) =>
        Assert.Equal(trips, TripExpression.Parse(text).Evaluate(Counts(consecutiveFailures: consecutiveFailures)));

    [Fact]
    public void And_or_and_the_other_counts()
    {
        var ratio = TripExpression.Parse("requests >= 10 && totalFailures * 2 > requests");
        Assert.False(ratio.Evaluate(Counts(requests: 9, failures: 9)));
        Assert.True(ratio.Evaluate(Counts(requests: 10, failures: 6)));
        Assert.False(ratio.Evaluate(Counts(requests: 10, failures: 5)));

        var either = TripExpression.Parse("consecutiveFailures > 3 || totalFailures >= 10 && consecutiveSuccesses == 0");
        Assert.True(either.Evaluate(Counts(consecutiveFailures: 4)));
        Assert.True(either.Evaluate(Counts(failures: 10, consecutiveFailures: 1)));
        Assert.False(either.Evaluate(Counts(failures: 10, consecutiveSuccesses: 1, successes: 1)));
        Assert.True(TripExpression.Parse("!(totalSuccesses > 0)").Evaluate(Counts()));
    }

    [Fact]
    public void Evaluation_errors_and_non_bool_results_never_trip()
    {
        Assert.False(TripExpression.Parse("failures > 3").Evaluate(Counts(failures: 100, consecutiveFailures: 100))); // no such variable
        Assert.False(TripExpression.Parse("consecutiveFailures").Evaluate(Counts(consecutiveFailures: 9)));      // int result
        Assert.False(TripExpression.Parse("consecutiveFailures / requests > 0").Evaluate(Counts(consecutiveFailures: 1))); // division by zero
        // CEL's commutative logic: an error on one side is absorbed by the deciding value on the other.
        Assert.True(TripExpression.Parse("failures > 3 || consecutiveFailures > 3").Evaluate(Counts(consecutiveFailures: 4)));
        Assert.False(TripExpression.Parse("failures > 3 && consecutiveFailures > 3").Evaluate(Counts(consecutiveFailures: 1)));
        Assert.False(TripExpression.Parse("failures > 3 && consecutiveFailures > 3").Evaluate(Counts(consecutiveFailures: 4)));
    }

    [Theory]
    [InlineData("consecutiveFailures >=")]
    [InlineData("consecutiveFailures >= 5 &&")]
    [InlineData("1 < 2.0")]
    [InlineData("!5")]
    [InlineData("consecutiveFailures > true + 1")]
    [InlineData("(consecutiveFailures > 1")]
    [InlineData("consecutiveFailures >= 5; x")]
    public void Expressions_cel_cannot_compile_are_rejected(string text) =>
        Assert.Throws<InvalidDataException>(() => TripExpression.Parse(text));
}

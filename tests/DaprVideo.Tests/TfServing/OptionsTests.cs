using DaprVideo.ModelServer;
using DaprVideo.Settings;
using DaprVideo.TfServing;

namespace DaprVideo.Tests.TfServing;

public sealed class OptionsTests
{
    private static TfServingOptions FromEnv(params (string Name, string Value)[] vars) =>
        TfServingOptions.FromEnvironment(name => vars.FirstOrDefault(v => v.Name == name).Value);

    [Theory]
    [InlineData("grpc://tfs", TfServingProtocol.Grpc, "http://tfs:8500/", "default")]
    [InlineData("grpc://tfs:9000", TfServingProtocol.Grpc, "http://tfs:9000/", "default")]
    [InlineData("grpcs://tfs", TfServingProtocol.Grpc, "https://tfs/", "default")]
    [InlineData("http://tfs", TfServingProtocol.Rest, "http://tfs:8501/", "default")]
    [InlineData("http://tfs:80", TfServingProtocol.Rest, "http://tfs/", "default")]
    [InlineData("http://tfs:8501/v1/models/ssd:predict", TfServingProtocol.Rest, "http://tfs:8501/", "ssd")]
    public void The_url_scheme_selects_the_protocol(string url, TfServingProtocol protocol, string endpoint, string model)
    {
        var options = FromEnv(("TF_SERVING_URL", url));

        Assert.Equal(protocol, options.Protocol);
        Assert.Equal(endpoint, options.Endpoint.ToString());
        Assert.Equal(model, options.ModelName);
    }

    [Fact]
    public void Defaults_and_environment_values_are_read()
    {
        var options = FromEnv(("TF_SERVING_MODEL", "ssd"), ("BATCH_SIZE", "16"), ("BATCH_TIMEOUT_MS", "5"), ("DEBUG", "true"), ("TF_SERVING_INPUT_SIZE", "full"));

        Assert.Equal(TfServingProtocol.Grpc, options.Protocol);
        Assert.Equal("http://localhost:8500/", options.Endpoint.ToString());
        Assert.Equal("ssd", options.ModelName);
        Assert.Equal(16, options.BatchSize);
        Assert.Equal(TimeSpan.FromMilliseconds(5), options.BatchTimeout);
        Assert.True(options.Debug);
        Assert.Equal(TfServingOptions.FullFrame, options.InputSize);
        Assert.Equal(16, options.ToBatcherOptions().BatchSize);
    }

    [Theory]
    [InlineData("TF_SERVING_URL", "tfs:8500")]
    [InlineData("TF_SERVING_URL", "ftp://tfs")]
    [InlineData("TF_SERVING_URL", "grpc://tfs/v1/models/x")]
    [InlineData("TF_SERVING_URL", "http://tfs/other")]
    [InlineData("TF_SERVING_URL", "http://user:pw@tfs")]
    [InlineData("TF_SERVING_URL", "http://tfs?x=1")]
    [InlineData("TF_SERVING_MODEL", "../etc")]
    [InlineData("TF_SERVING_MODEL", "a b")]
    [InlineData("BATCH_SIZE", "0")]
    [InlineData("BATCH_SIZE", "eight")]
    [InlineData("BATCH_TIMEOUT_MS", "-1")]
    [InlineData("DEBUG", "maybe")]
    [InlineData("TF_SERVING_INPUT_SIZE", "3")]
    [InlineData("SCORE_THRESHOLD", "2")]
    public void A_bad_value_fails_with_one_line_naming_the_variable(string variable, string value)
    {
        var ex = Assert.Throws<SettingsException>(() => FromEnv((variable, value)));

        Assert.StartsWith($"{variable}: ", ex.Message);
        Assert.Equal(variable, ex.Variable);
        Assert.DoesNotContain('\n', ex.Message);
    }

    [Fact]
    public void Model_server_flags_follow_tensorflow_model_server()
    {
        var options = ModelServerOptions.Parse(["--port=9000", "--rest_api_port", "9001", "--model_name=ssd", "--enable_batching"]);
        Assert.Equal(9000, options.Port);
        Assert.Equal(9001, options.RestApiPort);
        Assert.Equal("ssd", options.ModelName);
        Assert.True(options.EnableBatching);

        Assert.False(ModelServerOptions.Parse(["--rest_api_port=0"]).RestEnabled);
        Assert.Contains("--port", Assert.Throws<ArgumentException>(() => ModelServerOptions.Parse(["--port=x"])).Message);
        Assert.Contains("--nope", Assert.Throws<ArgumentException>(() => ModelServerOptions.Parse(["--nope=1"])).Message);
        Assert.Contains("--model_name", Assert.Throws<ArgumentException>(() => ModelServerOptions.Parse(["--model_name=a/b"])).Message);
    }

    [Fact]
    public void The_shipped_batching_parameters_file_is_read()
    {
        var path = Path.Combine(DaprVideo.Tests.TestSupport.RepoPaths.Root, "services", "ModelServer", "tfserving", "batching_parameters.txt");
        var options = ModelServerOptions.Parse([$"--batching_parameters_file={path}"]);

        Assert.True(options.EnableBatching);
        Assert.Equal(8, options.MaxBatchSize);
        Assert.Equal(TimeSpan.FromMilliseconds(5), options.BatchTimeout);
        Assert.Equal(2, options.NumBatchThreads);
    }
}

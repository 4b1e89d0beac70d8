using DaprVideo.Core.Ports;
using DaprVideo.Core.Vision;
using DaprVideo.ModelServer;
using DaprVideo.Onnx;

// A TF Serving compatible model server on ONNX Runtime. Flags as tensorflow_model_server:
//   daprvideo-model-server --port=8500 --rest_api_port=8501 --model_name=default [--model_path=...]
ModelServerOptions options;
try
{
    options = ModelServerOptions.Parse(args);
}
catch (ArgumentException ex)
{
    Console.Error.WriteLine($"model server: {ex.Message}");
    return 2;
}

var modelPath = options.ModelPath ?? Path.Combine(AppContext.BaseDirectory, "models", SsdModel.FileName);
if (!File.Exists(modelPath))
{
    Console.Error.WriteLine($"model server: --model_path: no model at '{modelPath}'.");
    return 2;
}

var app = ModelServerHost.Build(options, services => services.AddSingleton<IObjectDetector>(_ =>
    new OnnxObjectDetector(new OnnxDetectorOptions
    {
        ModelPath = modelPath,
        IntraOpThreads = options.IntraOpThreads,
        PostProcessing = new PostProcessingOptions
        {
            ScoreThreshold = options.ScoreThreshold,
            MaxDetections = options.MaxDetections,
        },
    })));
// Load the model before accepting calls, so a broken model fails start-up, not the first request.
_ = app.Services.GetRequiredService<DaprVideo.ModelServer.Serving.DetectionServable>();
await app.RunAsync();
return 0;

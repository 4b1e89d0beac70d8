using DaprVideo.DaprAdapters;
using DaprVideo.Inference;
using DaprVideo.Media;

// Inference (Dapr app id "inference"): subscribes "chunks", detects through TF Serving (TF_SERVING_URL),
// stores each annotated segment and its record through the object store binding, publishes "segments".
NativeHeap.Configure();
return await DistributedHost.RunAsync(args, InferenceModule.DefaultPort, InferenceApp.AddServices, InferenceApp.MapEndpoints);

using System.Text.RegularExpressions;

namespace ControlNet.Functions.Tests;

/// <summary>
/// The images cannot be built here (no registry access); these checks hold the Dockerfiles to what the code needs:
/// the Functions app published on the dotnet-isolated 10 base, no models baked in, and in the GPU image the CUDA 13
/// and cuDNN 9 runtime libraries ONNX Runtime's CUDA provider (the version pinned in Directory.Packages.props) loads.
/// </summary>
public class ContainerImageTests
{
    private static readonly string Root = Repository.Root;

    [Theory]
    [InlineData("Dockerfile.cpu")]
    [InlineData("Dockerfile.gpu")]
    public void Images_publish_the_functions_app_on_the_isolated_base_without_models(string file)
    {
        var text = File.ReadAllText(Path.Combine(Root, "infra", file));
        Assert.Contains("dotnet publish src/ControlNet.Functions/ControlNet.Functions.csproj -c Release -o /home/site/wwwroot", text);
        Assert.Matches(@"FROM mcr\.microsoft\.com/azure-functions/dotnet-isolated:4-dotnet-isolated10\.0", text);
        Assert.Contains("AzureWebJobsScriptRoot=/home/site/wwwroot", text);
        Assert.DoesNotMatch(@"(?m)^\s*(COPY|ADD)\s+\S*models", text);
        Assert.Contains("models/", File.ReadAllText(Path.Combine(Root, ".dockerignore")));
    }

    [Fact]
    public void The_gpu_image_has_the_cuda_13_and_cudnn_9_libraries_onnx_runtime_1_31_loads()
    {
        var packages = File.ReadAllText(Path.Combine(Root, "Directory.Packages.props"));
        Assert.Matches("Microsoft.ML.OnnxRuntime.Gpu.Linux\" Version=\"1\\.31\\.", packages);
        var text = File.ReadAllText(Path.Combine(Root, "infra", "Dockerfile.gpu"));
        foreach (var library in new[] { "cuda-cudart-13-0", "libcublas-13-0", "libcufft-13-0", "libcurand-13-0", "libcudnn9-cuda-13" })
            Assert.Matches($@"apt-get install[^\n]*\b{Regex.Escape(library)}\b", text);
        Assert.Contains("CONTROLNET_PROVIDER=cuda", text);
    }
}

/**
 * The questions `npm start` asks of the sample conversation, each with a phrase of the turn that
 * answers it: the demo prints the best memory, and a test checks it holds that turn.
 */
export const DEMO_QUESTIONS: readonly { question: string; answer: string }[] = [
  { question: "What is Maya's job?", answer: "marine biologist" },
  { question: "Which foods should Maya avoid?", answer: "allergic to peanuts" },
  { question: "What is the name of her pet?", answer: "cat called Pixel" },
  { question: "Who is coming to visit, and what do they enjoy?", answer: "sister Ana is visiting" },
  { question: "What race is Maya preparing for?", answer: "half marathon" },
];
